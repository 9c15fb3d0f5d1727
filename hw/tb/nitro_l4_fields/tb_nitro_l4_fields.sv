// tb_nitro_l4_fields: the filter fields vs a reference written from docs/card-filtering.md "Definitions":
// random TCP, UDP, ICMP (echo request/reply and other types) and other protocols, unfragmented, first
// fragments (MF) and later fragments, frame lengths from 14 to 64 bytes around every field's last byte,
// random L4 bytes; every field of the ctPkt record checked by its name (nitro_regs_pkg CT_PKT_*).
`timescale 1ns/1ps
module tb_nitro_l4_fields;

  tb_verdict #(.TIMEOUT(1000000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  logic [15:0]  len, frag;
  logic [7:0]   proto;
  logic [31:0]  src, dst;
  logic [111:0] l4;
  logic [nitro_regs_pkg::CT_PKT_WIDTH-1:0] pkt;

  nitro_l4_fields dut (.len(len), .proto(proto), .frag(frag), .src(src), .dst(dst), .l4(l4), .pkt(pkt));

  // bytes k .. k + n - 1 of the L4 header (frame bytes 34 + k ..), big-endian; 0 unless the frame holds all of them
  function automatic logic [15:0] field(input int k, input int n);
    field = 16'h0;
    if (int'(len) >= 34 + k + n) begin
      for (int i = 0; i < n; i++) field = (field << 8) | 16'(l4[8*(k+i) +: 8]);
    end
  endfunction

  initial begin
    int cnt [4];
    logic        whole, ported;
    logic [15:0] e_sport, e_dport, e_id, e_p1, e_p2;
    logic [7:0]  e_type, e_code, e_flags;
    cnt = '{0, 0, 0, 0};
    for (int n = 0; n < 200000; n++) begin
      unique case ($urandom_range(0, 5))
        0, 1:    proto = 8'd6;
        2:       proto = 8'd17;
        3, 4:    proto = 8'd1;
        default: proto = 8'($urandom);
      endcase
      unique case ($urandom_range(0, 5))
        0:       frag = 16'h2000 | 16'($urandom_range(0, 1) * $urandom_range(1, 8191));   // MF
        1:       frag = 16'($urandom_range(1, 8191)) | 16'($urandom_range(0, 1) << 14);   // a later fragment (DF or not)
        default: frag = 16'($urandom_range(0, 1) << 14);                                   // whole, DF or not
      endcase
      len = 16'($urandom_range(14, 64));
      src = $urandom;
      dst = $urandom;
      l4  = {$urandom, $urandom, $urandom, $urandom};
      if (proto == 8'd1 && $urandom_range(0, 1) == 1) l4[7:0] = $urandom_range(0, 1) == 1 ? 8'd8 : 8'd0;
      #1;
      whole   = frag[13] == 1'b0 && frag[12:0] == 13'd0;
      ported  = (proto == 8'd6 || proto == 8'd17) && whole;
      e_sport = ported ? field(0, 2) : 16'h0;
      e_dport = ported ? field(2, 2) : 16'h0;
      e_flags = (proto == 8'd6 && whole) ? 8'(field(13, 1)) : 8'h0;
      e_type  = (proto == 8'd1 && whole) ? 8'(field(0, 1)) : 8'h0;
      e_code  = (proto == 8'd1 && whole) ? 8'(field(1, 1)) : 8'h0;
      // the echo identifier: echo request (8) or reply (0) only
      e_id    = (proto == 8'd1 && whole && (e_type == 8'd0 || e_type == 8'd8)) ? field(4, 2) : 16'h0;
      e_p1    = (proto == 8'd6 || proto == 8'd17) ? e_dport : (proto == 8'd1) ? 16'(e_type) : 16'h0;
      e_p2    = (proto == 8'd1) ? 16'(e_code) : 16'h0;
      verdict.check(pkt[nitro_regs_pkg::CT_PKT_PROTO_LSB +: nitro_regs_pkg::CT_PKT_PROTO_WIDTH] == proto, $sformatf("%0d: proto", n));
      verdict.check(pkt[nitro_regs_pkg::CT_PKT_SRC_LSB +: nitro_regs_pkg::CT_PKT_SRC_WIDTH] == src, $sformatf("%0d: src", n));
      verdict.check(pkt[nitro_regs_pkg::CT_PKT_DST_LSB +: nitro_regs_pkg::CT_PKT_DST_WIDTH] == dst, $sformatf("%0d: dst", n));
      verdict.check(pkt[nitro_regs_pkg::CT_PKT_SPORT_LSB +: nitro_regs_pkg::CT_PKT_SPORT_WIDTH] == e_sport,
                    $sformatf("%0d: proto %0d frag %h len %0d sport %h, expected %h", n, proto, frag, len,
                              pkt[nitro_regs_pkg::CT_PKT_SPORT_LSB +: nitro_regs_pkg::CT_PKT_SPORT_WIDTH], e_sport));
      verdict.check(pkt[nitro_regs_pkg::CT_PKT_DPORT_LSB +: nitro_regs_pkg::CT_PKT_DPORT_WIDTH] == e_dport,
                    $sformatf("%0d: proto %0d frag %h len %0d dport, expected %h", n, proto, frag, len, e_dport));
      verdict.check(pkt[nitro_regs_pkg::CT_PKT_ICMP_ID_LSB +: nitro_regs_pkg::CT_PKT_ICMP_ID_WIDTH] == e_id,
                    $sformatf("%0d: proto %0d frag %h len %0d icmp id, expected %h", n, proto, frag, len, e_id));
      verdict.check(pkt[nitro_regs_pkg::CT_PKT_P1_LSB +: nitro_regs_pkg::CT_PKT_P1_WIDTH] == e_p1,
                    $sformatf("%0d: proto %0d frag %h len %0d p1, expected %h", n, proto, frag, len, e_p1));
      verdict.check(pkt[nitro_regs_pkg::CT_PKT_P2_LSB +: nitro_regs_pkg::CT_PKT_P2_WIDTH] == e_p2,
                    $sformatf("%0d: proto %0d frag %h len %0d p2, expected %h", n, proto, frag, len, e_p2));
      verdict.check(pkt[nitro_regs_pkg::CT_PKT_FIN_LSB] == e_flags[0], $sformatf("%0d: FIN", n));
      verdict.check(pkt[nitro_regs_pkg::CT_PKT_RST_LSB] == e_flags[2], $sformatf("%0d: RST", n));
      // coverage: ports seen, echo identifiers seen, fields cut by the frame's end, fragments
      if (e_sport != 0) cnt[0]++;
      if (e_id != 0) cnt[1]++;
      if (ported && int'(len) < 38) cnt[2]++;
      if (!whole && proto == 8'd6) cnt[3]++;
    end
    foreach (cnt[i]) verdict.check(cnt[i] > 100, $sformatf("coverage %0d: only %0d cases", i, cnt[i]));
    verdict.finish(0);
  end

endmodule
