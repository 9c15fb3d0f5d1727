hw/rtl/nitro_route_lookup.sv
hw/tb/common/tb_verdict.sv
hw/tb/nitro_route_lookup/tb_nitro_route_lookup.sv
