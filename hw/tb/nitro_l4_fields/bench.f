hw/rtl/nitro_regs_pkg.sv
hw/rtl/nitro_l4_fields.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_l4_fields/tb_nitro_l4_fields.sv
