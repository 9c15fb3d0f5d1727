hw/rtl/nitro_fifo.sv
hw/rtl/nitro_ingress.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_ingress/tb_nitro_ingress.sv
