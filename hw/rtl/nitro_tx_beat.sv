// nitro_tx_beat: the TX lookup's last stage (TF) builds the first output beat of a frame from its decision
// (docs/card-semantics.md TX): K_HOST rewrites the MACs (dst_mac, src_mac) and hands the frame to the receiving
// slot; K_ARP is the 42-byte ARP reply answering dst_mac for the requested address; K_NET is the 50-byte outer
// header (nexthop_mac, underlay_mac, IPv4 with its checksum, UDP from the flow-hash port `sport` to 4789, VXLAN
// with the VNI) followed by the rewritten inner bytes 0..13; K_DROP passes the header through. Combinational.
module nitro_tx_beat (
  input  logic [1:0]   kind,          // 0 drop, 1 host (local delivery), 2 ARP reply, 3 network (encapsulated)
  input  logic [511:0] hdr,           // frame bytes 0..63 (byte k in bits [8k+7:8k])
  input  logic [15:0]  len,           // frame length
  input  logic [7:0]   slot,          // the sender's slot
  input  logic [7:0]   rx_slot,       // the receiver's slot (local delivery)
  input  logic [23:0]  vni,
  input  logic [47:0]  dst_mac,       // new (inner) destination MAC; for ARP the answered MAC
  input  logic [47:0]  src_mac,       // new (inner) source MAC
  input  logic [31:0]  remote_ip,     // outer destination: the remote host's underlay address or the edge
  input  logic [15:0]  sport,         // outer UDP source port (flow hash)
  input  logic [31:0]  underlay_ip,
  input  logic [47:0]  underlay_mac,
  input  logic [47:0]  nexthop_mac,
  output logic [511:0] beat0,
  output logic [15:0]  out_len,
  output logic [7:0]   out_user       // host-port tuser of the output
);

  localparam logic [1:0] K_HOST = 2'd1, K_ARP = 2'd2, K_NET = 2'd3;   // 0 (drop): the header passes

  // big-endian value -> byte-lane order (first byte in the low bits)
  function automatic logic [47:0] sw48(input logic [47:0] v);
    sw48 = {v[7:0], v[15:8], v[23:16], v[31:24], v[39:32], v[47:40]};
  endfunction
  function automatic logic [31:0] sw32(input logic [31:0] v);
    sw32 = {v[7:0], v[15:8], v[23:16], v[31:24]};
  endfunction
  function automatic logic [23:0] sw24(input logic [23:0] v);
    sw24 = {v[7:0], v[15:8], v[23:16]};
  endfunction
  function automatic logic [15:0] sw16(input logic [15:0] v);
    sw16 = {v[7:0], v[15:8]};
  endfunction

  // Outer IPv4 header checksum (10-word adder tree)
  logic [15:0] o_tl, o_csum;
  logic [19:0] o_sum;
  logic [16:0] o_f1;
  logic [15:0] o_f2;
  assign o_tl  = len + 16'd36;
  assign o_sum = 20'h4500 + 20'(o_tl) + 20'h4000 + 20'h4011
               + 20'(underlay_ip[31:16]) + 20'(underlay_ip[15:0]) + 20'(remote_ip[31:16]) + 20'(remote_ip[15:0]);
  assign o_f1  = 17'(o_sum[15:0]) + 17'(o_sum[19:16]);
  assign o_f2  = o_f1[15:0] + 16'(o_f1[16]);
  assign o_csum = ~o_f2;

  always_comb begin
    beat0    = hdr;
    out_len  = len;
    out_user = slot;
    unique case (kind)
      K_HOST: begin
        beat0[0 +: 48]  = sw48(dst_mac);
        beat0[48 +: 48] = sw48(src_mac);
        out_user        = rx_slot;
      end
      K_ARP: begin
        beat0            = '0;
        beat0[0 +: 48]   = hdr[8*22 +: 48];          // requester's hardware address
        beat0[48 +: 48]  = sw48(dst_mac);
        beat0[96 +: 16]  = sw16(16'h0806);
        beat0[112 +: 16] = sw16(16'h0001);
        beat0[128 +: 16] = sw16(16'h0800);
        beat0[144 +: 8]  = 8'd6;
        beat0[152 +: 8]  = 8'd4;
        beat0[160 +: 16] = sw16(16'h0002);
        beat0[176 +: 48] = sw48(dst_mac);            // sender HW = answered MAC
        beat0[224 +: 32] = hdr[8*38 +: 32];          // sender IP = requested IP
        beat0[256 +: 48] = hdr[8*22 +: 48];          // target HW = requester
        beat0[304 +: 32] = hdr[8*28 +: 32];          // target IP = requester IP
        out_len          = 16'd42;
      end
      K_NET: begin
        beat0            = '0;
        beat0[0 +: 48]   = sw48(nexthop_mac);
        beat0[48 +: 48]  = sw48(underlay_mac);
        beat0[96 +: 16]  = sw16(16'h0800);
        beat0[112 +: 16] = sw16(16'h4500);
        beat0[128 +: 16] = sw16(o_tl);
        beat0[160 +: 16] = sw16(16'h4000);
        beat0[176 +: 16] = sw16(16'h4011);
        beat0[192 +: 16] = sw16(o_csum);
        beat0[208 +: 32] = sw32(underlay_ip);
        beat0[240 +: 32] = sw32(remote_ip);
        beat0[272 +: 16] = sw16(sport);
        beat0[288 +: 16] = sw16(16'd4789);
        beat0[304 +: 16] = sw16(len + 16'd16);
        beat0[336 +: 8]  = 8'h08;
        beat0[368 +: 24] = sw24(vni);
        beat0[400 +: 48] = sw48(dst_mac);           // inner dst
        beat0[448 +: 48] = sw48(src_mac);           // inner src
        beat0[496 +: 16] = hdr[96 +: 16];           // inner ethertype
        out_len          = len + 16'd50;
      end
      default: ;
    endcase
  end

endmodule
