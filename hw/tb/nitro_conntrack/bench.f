hw/rtl/nitro_regs_pkg.sv
hw/rtl/nitro_crc.sv
hw/rtl/nitro_rule_match.sv
hw/rtl/nitro_sg_scan.sv
hw/rtl/nitro_conntrack.sv
hw/tb/common/tb_verdict.sv
hw/tb/common/tb_rule_ref.sv
hw/tb/nitro_conntrack/tb_nitro_conntrack.sv
