hw/rtl/nitro_regs_pkg.sv
hw/rtl/nitro_rx_editor.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_rx_editor/tb_nitro_rx_editor.sv
