hw/rtl/nitro_rx_editor.sv
hw/tb/nitro_rx_editor/tb_nitro_rx_editor.sv
