// tb_nitro_tx_check: the TX header checks vs a reference written from docs/card-semantics.md TX 1-5, ARP 1-4 and
// IPv4 1-6 (first failure decides): random valid ARP requests and IPv4 packets from the ENI, each with up to two
// random mutations (length around every threshold, ENI not valid, source MAC, ethertype, ARP fields and opcode,
// sender addresses, target = the ENI's address, IPv4 version / IHL / checksum / total length / source with the
// source/destination check on and off, TTL 0); bytes past the frame end are 0 as the ingress captures them. A
// small IP_MTU puts the mtu-exceeded bound among the lengths drawn. Every verdict and reason checked, and every
// reason seen.
`timescale 1ns/1ps
module tb_nitro_tx_check;

  tb_verdict #(.TIMEOUT(10000000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  localparam int IP_MTU = 80;
  localparam int MAX_FRAME = 14 + IP_MTU;

  logic [335:0] hdr;
  logic [15:0]  len;
  logic         eni_valid, eni_sdc, is_arp, is_ip, drop;
  logic [47:0]  eni_mac;
  logic [31:0]  eni_ip;
  logic [3:0]   reason;

  nitro_tx_check #(.IP_MTU(IP_MTU)) dut (.hdr(hdr), .len(len), .eni_valid(eni_valid), .eni_sdc(eni_sdc),
    .eni_mac(eni_mac), .eni_ip(eni_ip), .is_arp(is_arp), .is_ip(is_ip), .drop(drop), .reason(reason));

  logic [7:0] f [42];   // the frame's first 42 bytes

  task automatic put(input int at, input logic [47:0] v, input int n);   // n bytes of v, big-endian
    for (int i = 0; i < n; i++) f[at + i] = v[8*(n-1-i) +: 8];
  endtask
  function automatic logic [47:0] get(input int at, input int n);
    get = '0;
    for (int i = 0; i < n; i++) get = (get << 8) | 48'(f[at + i]);
  endfunction

  function automatic logic [15:0] ip_checksum();   // over bytes 14..33 with the checksum field as it is
    logic [31:0] s;
    s = 0;
    for (int w = 0; w < 10; w++) s += {f[14 + 2*w], f[15 + 2*w]};
    while (s > 32'hFFFF) s = (s & 32'hFFFF) + (s >> 16);
    ip_checksum = 16'(s);
  endfunction

  // The spec's verdict: {drop, reason}
  function automatic logic [4:0] expected();
    logic [15:0] et, tl;
    logic [3:0]  r;
    logic        d;
    et = 16'(get(12, 2));
    tl = 16'(get(16, 2));
    d  = 1'b1;
    r  = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
    if (int'(len) > MAX_FRAME)                  r = 4'(nitro_regs_pkg::DROP_MTU_EXCEEDED);
    else if (len < 16'd14)                      r = 4'(nitro_regs_pkg::DROP_MALFORMED);
    else if (!eni_valid || get(6, 6) != eni_mac) r = 4'(nitro_regs_pkg::DROP_SOURCE_CHECK);
    else if (et == 16'h0806) begin
      if (len < 16'd42 || get(14, 2) != 1 || get(16, 2) != 48'h0800 || f[18] != 8'd6 || f[19] != 8'd4)
                                                r = 4'(nitro_regs_pkg::DROP_MALFORMED);
      else if (get(20, 2) != 1)                 r = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
      else if (get(22, 6) != eni_mac || (get(28, 4) != 48'(eni_ip) && get(28, 4) != 0))
                                                r = 4'(nitro_regs_pkg::DROP_SOURCE_CHECK);
      else if (get(38, 4) == 48'(eni_ip))       r = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
      else                                      d = 1'b0;
    end else if (et == 16'h0800) begin
      if (len < 16'd34 || f[14][7:4] != 4'd4 || f[14][3:0] < 4'd5)
                                                r = 4'(nitro_regs_pkg::DROP_MALFORMED);
      else if (f[14][3:0] > 4'd5)               r = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
      else if (ip_checksum() != 16'hFFFF)       r = 4'(nitro_regs_pkg::DROP_MALFORMED);
      else if (tl < 16'd20 || 32'(tl) + 14 > 32'(len)) r = 4'(nitro_regs_pkg::DROP_MALFORMED);
      else if (eni_sdc && get(26, 4) != 48'(eni_ip)) r = 4'(nitro_regs_pkg::DROP_SOURCE_CHECK);
      else if (f[22] == 8'd0)                   r = 4'(nitro_regs_pkg::DROP_TTL_EXPIRED);
      else                                      d = 1'b0;
    end
    expected = {d, r};
  endfunction

  task automatic mutate();
    unique case ($urandom_range(0, 17))
      0:  len = 16'($urandom_range(0, 13));
      1:  len = 16'($urandom_range(MAX_FRAME - 2, MAX_FRAME + 3));
      2:  len = 16'($urandom_range(14, 45));
      3:  eni_valid = 1'b0;
      4:  f[6 + $urandom_range(0, 5)] ^= 8'(1 << $urandom_range(0, 7));
      5:  put(12, 48'($urandom_range(0, 1) == 1 ? 16'h86DD : 16'($urandom)), 2);
      6:  f[14 + $urandom_range(0, 5)] ^= 8'(1 << $urandom_range(0, 7));    // ARP htype/ptype/hlen/plen, IPv4 version/IHL/TOS/length
      7:  put(20, 48'($urandom_range(0, 3)), 2);                             // ARP opcode, IPv4 flags
      8:  f[22 + $urandom_range(0, 5)] ^= 8'(1 << $urandom_range(0, 7));    // ARP sender MAC, IPv4 TTL/protocol/checksum
      9:  put(28, $urandom_range(0, 1) == 1 ? 48'h0 : 48'($urandom), 4);     // ARP sender IP, IPv4 source/destination
      10: put(38, 48'(eni_ip), 4);                                          // ARP target = E.ip
      11: put(26, 48'($urandom), 4);                                        // IPv4 source
      12: eni_sdc = ~eni_sdc;
      13: f[22] = 8'd0;                                                      // TTL 0 (checksum then stale unless fixed)
      14: f[14] = {4'd4, 4'($urandom_range(0, 7))};                           // IHL
      15: put(16, 48'($urandom_range(0, 90)), 2);                             // total length
      default: ;
    endcase
  endtask

  initial begin
    int seen [16];
    logic [4:0]  e;
    logic [15:0] tl, c;
    logic [335:0] h;
    foreach (seen[i]) seen[i] = 0;
    for (int n = 0; n < 200000; n++) begin
      eni_valid = 1'b1;
      eni_sdc   = $urandom_range(0, 3) != 0;
      eni_mac   = {$urandom, $urandom};
      eni_ip    = $urandom;
      for (int k = 0; k < 42; k++) f[k] = 8'($urandom);
      put(6, eni_mac, 6);
      if ($urandom_range(0, 2) == 0) begin                     // ARP request for another address
        put(12, 48'h0806, 2); put(14, 48'h0001, 2); put(16, 48'h0800, 2); f[18] = 8'd6; f[19] = 8'd4;
        put(20, 48'h0001, 2); put(22, eni_mac, 6); put(28, $urandom_range(0, 4) == 0 ? 48'h0 : 48'(eni_ip), 4);
        len = 16'($urandom_range(42, MAX_FRAME));
      end else begin                                           // IPv4 from E.ip
        tl = 16'($urandom_range(20, IP_MTU));
        put(12, 48'h0800, 2); f[14] = 8'h45; put(16, 48'(tl), 2); f[22] = 8'($urandom_range(1, 255));
        put(26, 48'(eni_ip), 4);
        len = 16'(14 + int'(tl) + ($urandom_range(0, 3) == 0 ? $urandom_range(0, 6) : 0));
        if (int'(len) > MAX_FRAME) len = 16'(MAX_FRAME);
      end
      if ($urandom_range(0, 3) != 0) mutate();
      if ($urandom_range(0, 3) == 0) mutate();
      if (f[12] == 8'h08 && f[13] == 8'h00 && $urandom_range(0, 7) != 0) begin   // a valid checksum mostly
        put(24, 48'h0, 2);
        c = ~ip_checksum();
        put(24, 48'(c), 2);
      end
      for (int k = 0; k < 42; k++) if (k >= int'(len)) f[k] = 8'h0;              // past the end: 0
      // one whole-vector write (Verilator 5.006 did not re-evaluate the DUT after part-selects written in a loop)
      for (int k = 0; k < 42; k++) h[8*k +: 8] = f[k];
      hdr = h;
      #1;
      e = expected();
      verdict.check(drop == e[4] && (!drop || reason == e[3:0]),
                    $sformatf("%0d: len %0d ethertype %h: drop %0d reason %0d, expected drop %0d reason %0d", n, len,
                              get(12, 2), drop, reason, e[4], e[3:0]));
      verdict.check(is_arp == (get(12, 2) == 48'h0806) && is_ip == (get(12, 2) == 48'h0800), $sformatf("%0d: ethertype flags", n));
      if (e[4]) seen[e[3:0]]++; else seen[15]++;
    end
    foreach (seen[i]) begin
      if (i == nitro_regs_pkg::DROP_MALFORMED || i == nitro_regs_pkg::DROP_UNSUPPORTED || i == nitro_regs_pkg::DROP_SOURCE_CHECK
          || i == nitro_regs_pkg::DROP_MTU_EXCEEDED || i == nitro_regs_pkg::DROP_TTL_EXPIRED || i == 15)
        verdict.check(seen[i] > 500, $sformatf("outcome %0d seen only %0d times", i, seen[i]));
    end
    verdict.finish(0);
  end

endmodule
