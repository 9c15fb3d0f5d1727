hw/rtl/nitro_rule_match.sv
hw/rtl/nitro_sg_scan.sv
hw/tb/common/tb_verdict.sv
hw/tb/common/tb_rule_ref.sv
hw/tb/nitro_sg_scan/tb_nitro_sg_scan.sv
