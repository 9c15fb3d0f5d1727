// nitro_lookup_pkg: what the TX and RX lookups both compute, written once: subnet masks, the NACL rule word from
// the staging vector, and (below the package) the header byte macros. The L4 filter fields, a module, are
// nitro_l4_fields. Use as nitro_lookup_pkg::NAME (Yosys 0.23 rejects import pkg::*).
package nitro_lookup_pkg;

  // The network mask of a prefix length: the top len bits set (all from 32 on), a thermometer decode as a shift.
  function automatic logic [31:0] subnet_mask(input logic [5:0] len);
    subnet_mask = (len >= 6'd32) ? 32'hFFFF_FFFF : ~(32'hFFFF_FFFF >> len[4:0]);
  endfunction

  // ip is in subnet/len
  function automatic logic in_subnet(input logic [31:0] ip, input logic [31:0] subnet, input logic [5:0] len);
    in_subnet = ((ip ^ subnet) & subnet_mask(len)) == 32'h0;
  endfunction

  // A network ACL rule as nitro_nacl stores it, {p2_hi, p2_lo, p1_hi, p1_lo, cidr, cidr_len, protocol,
  // any_protocol, allow, valid}, from the table engine's staging vector (the nacl table of nitro_regs_pkg).
  function automatic logic [112:0] nacl_rule(input logic [255:0] staging);
    nacl_rule = {staging[nitro_regs_pkg::TBL_NACL_P2_HI_LSB +: nitro_regs_pkg::TBL_NACL_P2_HI_WIDTH],
                 staging[nitro_regs_pkg::TBL_NACL_P2_LO_LSB +: nitro_regs_pkg::TBL_NACL_P2_LO_WIDTH],
                 staging[nitro_regs_pkg::TBL_NACL_P1_HI_LSB +: nitro_regs_pkg::TBL_NACL_P1_HI_WIDTH],
                 staging[nitro_regs_pkg::TBL_NACL_P1_LO_LSB +: nitro_regs_pkg::TBL_NACL_P1_LO_WIDTH],
                 staging[nitro_regs_pkg::TBL_NACL_CIDR_LSB +: nitro_regs_pkg::TBL_NACL_CIDR_WIDTH],
                 staging[nitro_regs_pkg::TBL_NACL_CIDR_LEN_LSB +: nitro_regs_pkg::TBL_NACL_CIDR_LEN_WIDTH],
                 staging[nitro_regs_pkg::TBL_NACL_PROTOCOL_LSB +: nitro_regs_pkg::TBL_NACL_PROTOCOL_WIDTH],
                 staging[nitro_regs_pkg::TBL_NACL_ANY_PROTOCOL_LSB],
                 staging[nitro_regs_pkg::TBL_NACL_ALLOW_LSB],
                 staging[nitro_regs_pkg::TBL_NACL_VALID_LSB]};
  endfunction

endpackage

// Big-endian fields of a header vector (byte k in bits [8k+7:8k]), for every file compiled after this one (files.f
// order). Macros rather than functions: Yosys 0.23 elaborates these much faster.
`define NB8(h, k)  h[8*(k) +: 8]
`define NB16(h, k) {h[8*(k) +: 8], h[8*((k)+1) +: 8]}
`define NB24(h, k) {h[8*(k) +: 8], h[8*((k)+1) +: 8], h[8*((k)+2) +: 8]}
`define NB32(h, k) {h[8*(k) +: 8], h[8*((k)+1) +: 8], h[8*((k)+2) +: 8], h[8*((k)+3) +: 8]}
`define NB48(h, k) {`NB16(h, k), `NB32(h, (k)+2)}
