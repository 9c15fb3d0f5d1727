hw/rtl/nitro_regs_pkg.sv
hw/rtl/nitro_csr.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_csr/tb_nitro_csr.sv
