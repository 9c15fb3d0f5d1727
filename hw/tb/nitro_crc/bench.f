hw/rtl/nitro_crc.sv
hw/tb/nitro_crc/tb_nitro_crc.sv
