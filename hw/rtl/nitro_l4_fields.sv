// nitro_l4_fields: the filter fields of an IPv4 packet (docs/card-filtering.md "Definitions"), shared by the
// TX lookup (the frame) and the RX lookup (the inner frame): the packet record the tracking stage reads (a
// ctPkt, nitro_regs_pkg CT_PKT_*). TCP/UDP ports, the TCP FIN/RST flags, the ICMP type/code and the echo
// identifier are 0 when the frame does not hold their bytes or the packet is a fragment; the rule fields P1
// (TCP/UDP destination port, ICMP type) and P2 (ICMP code) are 0 for other protocols. Combinational.
module nitro_l4_fields (
  input  logic [15:0]  len,     // length of the Ethernet frame (the inner frame for RX): bytes past it are absent
  input  logic [7:0]   proto,   // IPv4 protocol
  input  logic [15:0]  frag,    // IPv4 flags and fragment offset
  input  logic [31:0]  src,     // IPv4 source
  input  logic [31:0]  dst,     // IPv4 destination
  input  logic [111:0] l4,      // frame bytes 34..47, the L4 header of an option-less IPv4 packet (byte k in bits [8k+7:8k])
  output logic [nitro_regs_pkg::CT_PKT_WIDTH-1:0] pkt
);

  logic        fragment, is_tcp, is_udp, is_icmp;
  logic [15:0] sport, dport, icmp_id, p1, p2;
  logic [7:0]  itype, icode, tflags;

  assign fragment = frag[13] || (frag[12:0] != 13'd0);
  assign is_tcp   = proto == 8'd6;
  assign is_udp   = proto == 8'd17;
  assign is_icmp  = proto == 8'd1;
  // frame byte 34 + k is l4 byte k: present when len >= 35 + k
  assign sport    = ((is_tcp || is_udp) && !fragment && len >= 16'd36) ? {l4[0 +: 8], l4[8 +: 8]} : 16'h0;
  assign dport    = ((is_tcp || is_udp) && !fragment && len >= 16'd38) ? {l4[16 +: 8], l4[24 +: 8]} : 16'h0;
  assign tflags   = (is_tcp && !fragment && len >= 16'd48) ? l4[104 +: 8] : 8'h0;
  assign itype    = (is_icmp && !fragment && len >= 16'd35) ? l4[0 +: 8] : 8'h0;
  assign icode    = (is_icmp && !fragment && len >= 16'd36) ? l4[8 +: 8] : 8'h0;
  assign icmp_id  = (is_icmp && !fragment && len >= 16'd40 && (itype == 8'd0 || itype == 8'd8))
                    ? {l4[32 +: 8], l4[40 +: 8]} : 16'h0;
  assign p1       = (is_tcp || is_udp) ? dport : is_icmp ? 16'(itype) : 16'h0;
  assign p2       = is_icmp ? 16'(icode) : 16'h0;

  always_comb begin
    pkt[nitro_regs_pkg::CT_PKT_PROTO_LSB +: nitro_regs_pkg::CT_PKT_PROTO_WIDTH]     = proto;
    pkt[nitro_regs_pkg::CT_PKT_SRC_LSB +: nitro_regs_pkg::CT_PKT_SRC_WIDTH]         = src;
    pkt[nitro_regs_pkg::CT_PKT_DST_LSB +: nitro_regs_pkg::CT_PKT_DST_WIDTH]         = dst;
    pkt[nitro_regs_pkg::CT_PKT_SPORT_LSB +: nitro_regs_pkg::CT_PKT_SPORT_WIDTH]     = sport;
    pkt[nitro_regs_pkg::CT_PKT_DPORT_LSB +: nitro_regs_pkg::CT_PKT_DPORT_WIDTH]     = dport;
    pkt[nitro_regs_pkg::CT_PKT_ICMP_ID_LSB +: nitro_regs_pkg::CT_PKT_ICMP_ID_WIDTH] = icmp_id;
    pkt[nitro_regs_pkg::CT_PKT_P1_LSB +: nitro_regs_pkg::CT_PKT_P1_WIDTH]           = p1;
    pkt[nitro_regs_pkg::CT_PKT_P2_LSB +: nitro_regs_pkg::CT_PKT_P2_WIDTH]           = p2;
    pkt[nitro_regs_pkg::CT_PKT_FIN_LSB]                                             = tflags[0];
    pkt[nitro_regs_pkg::CT_PKT_RST_LSB]                                             = tflags[2];
  end

  logic unused_bits;
  assign unused_bits = ^{frag[15:14], tflags[7:3], tflags[1], l4[48 +: 56]};

endmodule
