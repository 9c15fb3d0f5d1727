hw/rtl/nitro_regs_pkg.sv
hw/rtl/nitro_counters.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_counters/tb_nitro_counters.sv
