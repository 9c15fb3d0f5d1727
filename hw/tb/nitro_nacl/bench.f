hw/rtl/nitro_rule_match.sv
hw/rtl/nitro_nacl.sv
hw/tb/common/tb_verdict.sv
hw/tb/common/tb_rule_ref.sv
hw/tb/nitro_nacl/tb_nitro_nacl.sv
