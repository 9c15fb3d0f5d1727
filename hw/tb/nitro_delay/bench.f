hw/rtl/nitro_delay.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_delay/tb_nitro_delay.sv
