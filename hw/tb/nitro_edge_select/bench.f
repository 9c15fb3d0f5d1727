hw/rtl/nitro_regs_pkg.sv
hw/rtl/nitro_edge_select.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_edge_select/tb_nitro_edge_select.sv
