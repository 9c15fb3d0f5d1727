hw/rtl/nitro_alarm_fifo.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_alarm_fifo/tb_nitro_alarm_fifo.sv
