// tb_rule_ref: the benches' own reference of a rule match (docs/card-filtering.md, "Rule match"),
// written from the spec independently of nitro_rule_match, so a bench compares the RTL with it.
// Rule layout (113 bits): {p2_hi, p2_lo, p1_hi, p1_lo, cidr[31:0], cidr_len[5:0], protocol[7:0],
// any_protocol, allow, valid}.
package tb_rule_ref;

  // Prefix mask of a CIDR length (0..32).
  function automatic logic [31:0] pmask(input int len);
    pmask = (len == 0) ? 32'h0 : ~32'h0 << (32 - len);
  endfunction

  // Does rule r match a packet with this remote address, protocol and ports (p1: TCP/UDP
  // destination port or ICMP type, p2: ICMP code)?
  function automatic bit rule_match(input logic [112:0] r, input logic [31:0] rem, input logic [7:0] pr,
                                    input logic [15:0] p1, input logic [15:0] p2);
    bit pok;
    if (pr == 6 || pr == 17) pok = r[64:49] <= p1 && p1 <= r[80:65];
    else if (pr == 1) pok = r[64:49] <= p1 && p1 <= r[80:65] && r[96:81] <= p2 && p2 <= r[112:97];
    else pok = 1;
    rule_match = r[0] && (rem & pmask(int'(r[16:11]))) == r[48:17] && (r[2] || (r[10:3] == pr && pok));
  endfunction

endpackage
