// nitro_rule_match: one NACL / security group rule against a packet (docs/card-filtering.md,
// "Rule match"): VALID, (remote & mask(CIDR_LEN)) == CIDR, and ANY_PROTOCOL or PROTOCOL = the
// packet's protocol and: 6/17 P1_LO <= p1 <= P1_HI (p1 = destination port); 1 P1_LO <= p1 <=
// P1_HI and P2_LO <= p2 <= P2_HI (p1/p2 = ICMP type/code); other protocols nothing more.
// Combinational. Rule layout (113 bits): {p2_hi, p2_lo, p1_hi, p1_lo, cidr[31:0],
// cidr_len[5:0], protocol[7:0], any_protocol, allow (NACL only), valid}.
// `en` isolates the comparators: without it match is 0 and nothing is compared (a pipeline
// stage without a packet, whose match nobody reads).
module nitro_rule_match (
  input  logic         en,       // a packet is there to compare
  input  logic [112:0] rule,
  input  logic [31:0]  remote,   // ingress: IPv4 source, egress: IPv4 destination
  input  logic [7:0]   proto,
  input  logic [15:0]  p1,       // TCP/UDP destination port or ICMP type (0 when absent)
  input  logic [15:0]  p2,       // ICMP code (0 when absent)
  output logic         match
);

  always_comb begin
    logic [31:0] mask;
    logic        proto_ok;
    match    = 1'b0;
    mask     = '0;
    proto_ok = 1'b0;
    if (en && rule[0]) begin
      // mask(CIDR_LEN): the top CIDR_LEN bits set (all of them from 32 on), a thermometer decode
      mask = (rule[16:11] >= 6'd32) ? 32'hFFFF_FFFF : ~(32'hFFFF_FFFF >> rule[15:11]);
      unique case (proto)
        8'd6, 8'd17: proto_ok = rule[64:49] <= p1 && p1 <= rule[80:65];
        8'd1:        proto_ok = rule[64:49] <= p1 && p1 <= rule[80:65]
                                && rule[96:81] <= p2 && p2 <= rule[112:97];
        default:     proto_ok = 1'b1;
      endcase
      if ((remote & mask) == rule[48:17]) begin
        match = rule[2] || (rule[10:3] == proto && proto_ok);
      end
    end
  end

  logic unused_allow;
  assign unused_allow = rule[1];

endmodule
