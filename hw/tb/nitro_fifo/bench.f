hw/rtl/nitro_fifo.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_fifo/tb_nitro_fifo.sv
