hw/rtl/nitro_frame_fifo.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_frame_fifo/tb_nitro_frame_fifo.sv
