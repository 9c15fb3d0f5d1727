hw/rtl/nitro_regs_pkg.sv
hw/rtl/nitro_frame_fifo.sv
hw/rtl/nitro_punt.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_punt/tb_nitro_punt.sv
