// tb_nitro_tx_beat: the first output beat vs a reference written byte by byte from docs/card-semantics.md:
// random decisions of every kind on random headers, lengths, MACs, addresses, ports and VNIs; the whole beat,
// the output length and tuser checked, and the outer IPv4 header checksum verified by summing its words.
`timescale 1ns/1ps
module tb_nitro_tx_beat;

  tb_verdict #(.TIMEOUT(1000000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  logic [1:0]   kind;
  logic [511:0] hdr, beat0;
  logic [15:0]  len, sport, out_len;
  logic [7:0]   slot, rx_slot, out_user;
  logic [23:0]  vni;
  logic [47:0]  dst_mac, src_mac, underlay_mac, nexthop_mac;
  logic [31:0]  remote_ip, underlay_ip;

  nitro_tx_beat dut (.kind(kind), .hdr(hdr), .len(len), .slot(slot), .rx_slot(rx_slot), .vni(vni), .dst_mac(dst_mac),
    .src_mac(src_mac), .remote_ip(remote_ip), .sport(sport), .underlay_ip(underlay_ip), .underlay_mac(underlay_mac),
    .nexthop_mac(nexthop_mac), .beat0(beat0), .out_len(out_len), .out_user(out_user));

  logic [7:0] e [64];   // the expected beat, byte k = frame byte k

  function automatic logic [7:0] h(input int k);   // header byte k
    h = hdr[8*k +: 8];
  endfunction

  task automatic put(input int at, input logic [63:0] v, input int n);   // n bytes of v, big-endian, at byte `at`
    for (int i = 0; i < n; i++) e[at + i] = v[8*(n-1-i) +: 8];
  endtask

  initial begin
    int cnt [4];
    logic [15:0] e_len;
    logic [7:0]  e_user;
    logic [31:0] sum;
    cnt = '{0, 0, 0, 0};
    for (int n = 0; n < 50000; n++) begin
      kind = 2'($urandom);
      hdr  = {16{$urandom}};
      len  = 16'($urandom_range(14, 9015));
      slot = 8'($urandom); rx_slot = 8'($urandom); vni = 24'($urandom); sport = 16'($urandom);
      dst_mac = {$urandom, $urandom}; src_mac = {$urandom, $urandom};
      underlay_mac = {$urandom, $urandom}; nexthop_mac = {$urandom, $urandom};
      remote_ip = $urandom; underlay_ip = $urandom;
      for (int k = 0; k < 64; k++) e[k] = h(k);
      e_len  = len;
      e_user = slot;
      unique case (kind)
        2'd1: begin                                  // to the host: MACs rewritten, the receiver's tuser
          put(0, 64'(dst_mac), 6);
          put(6, 64'(src_mac), 6);
          e_user = rx_slot;
        end
        2'd2: begin                                  // ARP reply (42 bytes)
          for (int k = 0; k < 64; k++) e[k] = 8'h0;
          for (int k = 0; k < 6; k++) e[k] = h(22 + k);          // to the requester
          put(6, 64'(dst_mac), 6);
          put(12, 64'h0806, 2); put(14, 64'h0001, 2); put(16, 64'h0800, 2); e[18] = 8'd6; e[19] = 8'd4;
          put(20, 64'h0002, 2);                                   // reply
          put(22, 64'(dst_mac), 6);                               // sender: the answered MAC ...
          for (int k = 0; k < 4; k++) e[28 + k] = h(38 + k);      // ... for the requested address
          for (int k = 0; k < 6; k++) e[32 + k] = h(22 + k);      // target: the requester
          for (int k = 0; k < 4; k++) e[38 + k] = h(28 + k);
          e_len = 16'd42;
        end
        2'd3: begin                                  // VXLAN: 50-byte outer header + inner bytes 0..13
          for (int k = 0; k < 64; k++) e[k] = 8'h0;
          put(0, 64'(nexthop_mac), 6); put(6, 64'(underlay_mac), 6); put(12, 64'h0800, 2);
          e[14] = 8'h45; put(16, 64'(len + 16'd36), 2); put(20, 64'h4000, 2); e[22] = 8'd64; e[23] = 8'd17;
          put(26, 64'(underlay_ip), 4); put(30, 64'(remote_ip), 4);
          put(34, 64'(sport), 2); put(36, 64'd4789, 2); put(38, 64'(len + 16'd16), 2);
          e[42] = 8'h08; put(46, 64'(vni), 3);
          put(50, 64'(dst_mac), 6); put(56, 64'(src_mac), 6); e[62] = h(12); e[63] = h(13);
          e_len = len + 16'd50;
        end
        default: ;                                   // drop: the header as it came
      endcase
      #1;
      if (kind == 2'd3) begin
        // the outer checksum: the one's-complement sum of the expected header's words with it is 0xFFFF
        e[24] = beat0[8*24 +: 8];
        e[25] = beat0[8*25 +: 8];
        sum = 32'h0;
        for (int w = 0; w < 10; w++) sum += {e[14 + 2*w], e[15 + 2*w]};
        while (sum > 32'hFFFF) sum = (sum & 32'hFFFF) + (sum >> 16);
        verdict.check(sum == 32'hFFFF, $sformatf("%0d: outer checksum %h%h does not verify", n, e[24], e[25]));
      end
      for (int k = 0; k < 64; k++)
        verdict.check(beat0[8*k +: 8] == e[k], $sformatf("%0d: kind %0d byte %0d %h, expected %h", n, kind, k, beat0[8*k +: 8], e[k]));
      verdict.check(out_len == e_len, $sformatf("%0d: kind %0d length %0d, expected %0d", n, kind, out_len, e_len));
      verdict.check(out_user == e_user, $sformatf("%0d: kind %0d tuser %0d, expected %0d", n, kind, out_user, e_user));
      cnt[kind]++;
    end
    foreach (cnt[i]) verdict.check(cnt[i] > 1000, $sformatf("kind %0d: only %0d cases", i, cnt[i]));
    verdict.finish(0);
  end

endmodule
