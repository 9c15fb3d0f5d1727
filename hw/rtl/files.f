# NitroCard RTL, compile order (package first). Paths relative to hw/rtl/.
nitro_regs_pkg.sv
nitro_crc.sv
nitro_fifo.sv
nitro_ingress.sv
nitro_map_way.sv
nitro_map_match.sv
nitro_tables.sv
nitro_ipv4_check.sv
nitro_tx_lookup.sv
nitro_rx_lookup.sv
nitro_tx_editor.sv
nitro_rx_editor.sv
nitro_arbiter.sv
nitro_alarm_fifo.sv
nitro_counters.sv
nitro_csr.sv
nitro_card.sv
