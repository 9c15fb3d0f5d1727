hw/rtl/nitro_regs_pkg.sv
hw/rtl/nitro_map_way.sv
hw/rtl/nitro_map_match.sv
hw/rtl/nitro_tables.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_tables/tb_nitro_tables.sv
