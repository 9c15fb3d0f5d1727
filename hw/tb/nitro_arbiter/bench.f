hw/rtl/nitro_arbiter.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_arbiter/tb_nitro_arbiter.sv
