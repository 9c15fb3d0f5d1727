hw/rtl/nitro_tx_beat.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_tx_beat/tb_nitro_tx_beat.sv
