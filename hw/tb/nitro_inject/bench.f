hw/rtl/nitro_regs_pkg.sv
hw/rtl/nitro_frame_fifo.sv
hw/rtl/nitro_inject.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_inject/tb_nitro_inject.sv
