hw/rtl/nitro_regs_pkg.sv
hw/rtl/nitro_tx_editor.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_tx_editor/tb_nitro_tx_editor.sv
