hw/rtl/nitro_regs_pkg.sv
hw/rtl/nitro_lookup_pkg.sv
hw/rtl/nitro_ipv4_check.sv
hw/rtl/nitro_tx_check.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_tx_check/tb_nitro_tx_check.sv
