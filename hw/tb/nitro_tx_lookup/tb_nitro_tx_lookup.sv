// tb_nitro_tx_lookup: the TX pre-decision pipeline driven as the card drives it (header records
// with the slot, the ENI read ports of the sender and of a local receiver, mapping port A one
// cycle after the address, route / ACL / bank writes through the table strobes), against a
// reference written from docs/card-semantics.md ("TX", "ARP", "IPv4", "Counters and alarms")
// and docs/card-filtering.md (TX 7-10, route tables, network ACLs, filter fields). Random
// frames (ARP requests, IPv4 TCP/UDP/ICMP/other, other ethertypes) from random slots on random
// tables: ENIs (invalid, source/destination check on and off), mapping buckets (2 ways x 16
// buckets x 2 slots; local and remote entries), route banks (several tables, every KIND, bank
// switches), egress and ingress ACLs (first match, implicit deny, same subnet skips, ACL numbers
// past NUM_NACL), and one mutation of a TX / ARP / IPv4 check in turn. Checked for every record,
// in order and at the fixed latency: what the editor reads (kind, tuser, output length, the
// whole first output beat: MAC rewrite, ARP reply, the 50-byte outer header with the flow-hash
// source port and the rewritten inner MACs), the security group ops (slots, directions,
// untracked flags, rule ranges, mid_deny) and the filter fields, and the statistics fields of
// drops; admission (never while frozen, never more in flight than the decision FIFO's room).
`timescale 1ns/1ps
module tb_nitro_tx_lookup;
  import tb_rule_ref::*;

  tb_verdict #(.TIMEOUT(50000000), .SHOWN(12)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  localparam int NE = 8, WDL = 5, SL = 1, SLOTS = 2 ** SL, BK = 2 ** (WDL - SL), MTU = 1500, NN = 4, NR = 6;
  localparam int LV = 4, NPOS = 2 ** LV - 1;
  localparam int MAXF = 14 + MTU, MAP_W = 146, REC = 920;
  localparam int NA_LAT = (NR + 3) / 4 + 1, RT_LAT = LV + 1;
  localparam int TC_A = (1 + RT_LAT > 1 + NA_LAT) ? 1 + RT_LAT : 1 + NA_LAT;
  localparam int LAT = ((TC_A > 4 + NA_LAT) ? TC_A : 4 + NA_LAT) + 1;
  // Decision kinds of the TX decision record (nitro_tx_editor's input)
  localparam logic [1:0] K_DROP = 2'd0, K_HOST = 2'd1, K_ARP = 2'd2, K_NET = 2'd3;

  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic [31:0] UIP;
  logic [47:0] UMAC, NMAC, GMAC;

  logic [511:0]            hdr_data;
  logic [15:0]             hdr_len;
  logic [7:0]              hdr_user;
  logic                    hdr_valid, hdr_ready, freeze, busy;
  logic [5:0]              dec_space;
  logic [7:0]              eni_slot, leni_slot;
  logic                    eni_valid, eni_sdc, eni_untracked, leni_untracked;
  logic [5:0]              eni_sublen, leni_sublen;
  logic [23:0]             eni_vni;
  logic [31:0]             eni_ip, eni_subnet, leni_subnet;
  logic [47:0]             eni_mac;
  logic [7:0]              eni_route, eni_nacl, leni_nacl;
  logic [15:0]             eni_sg_base, eni_sg_count, leni_sg_base, leni_sg_count;
  logic                    route_wr, nacl_wr, bank_wr, route_bank;
  logic [31:0]             flt_wr_index;
  logic [255:0]            flt_wr_data;
  logic [74:0]             route_rd_data;
  logic [112:0]            nacl_rd_data;
  logic [WDL-SL-1:0]       map_addr0, map_addr1;
  logic [SLOTS*MAP_W-1:0]  map_data0, map_data1;
  logic [REC-1:0]          rec_data;
  logic                    rec_wr;

  nitro_tx_lookup #(.NUM_ENI(NE), .MAP_WAY_DEPTH_LOG2(WDL), .MAP_BUCKET_SLOTS_LOG2(SL), .IP_MTU(MTU), .DEC_SPACE_W(6),
                    .ROUTE_LEVELS(LV), .NUM_NACL(NN), .NACL_RULES(NR)) dut (
    .clk(clk), .rst(rst), .hdr_data(hdr_data), .hdr_len(hdr_len), .hdr_user(hdr_user), .hdr_valid(hdr_valid),
    .hdr_ready(hdr_ready), .freeze(freeze), .dec_space(dec_space), .busy(busy), .underlay_ip(UIP),
    .underlay_mac(UMAC), .nexthop_mac(NMAC), .gateway_mac(GMAC),
    .csr_valid(1'b0), .csr_write(1'b0), .csr_addr(16'h0), .csr_wdata(32'h0), .edge_csr_rd(),
    .eni_slot(eni_slot), .eni_valid(eni_valid), .eni_sdc(eni_sdc), .eni_sublen(eni_sublen), .eni_vni(eni_vni),
    .eni_ip(eni_ip), .eni_mac(eni_mac), .eni_subnet(eni_subnet), .eni_route(eni_route), .eni_nacl(eni_nacl),
    .eni_untracked(eni_untracked), .eni_sg_base(eni_sg_base), .eni_sg_count(eni_sg_count),
    .leni_slot(leni_slot), .leni_nacl(leni_nacl), .leni_subnet(leni_subnet), .leni_sublen(leni_sublen),
    .leni_untracked(leni_untracked), .leni_sg_base(leni_sg_base), .leni_sg_count(leni_sg_count),
    .route_wr(route_wr), .nacl_wr(nacl_wr), .bank_wr(bank_wr), .flt_wr_index(flt_wr_index), .flt_wr_data(flt_wr_data),
    .flt_rd_mode(1'b0), .flt_rd_index(32'h0), .route_rd_data(route_rd_data), .route_bank(route_bank),
    .nacl_rd_data(nacl_rd_data), .map_addr0(map_addr0), .map_addr1(map_addr1), .map_data0(map_data0),
    .map_data1(map_data1), .rec_data(rec_data), .rec_wr(rec_wr));


  // ------------------------------------------------------------------ tables (the card's, as the bench holds them)
  typedef struct packed {
    logic [47:0] mac; logic [31:0] uip; logic [31:0] ip; logic [23:0] vni; logic [7:0] slot; logic local_; logic valid;
  } map_t;
  typedef struct packed {
    logic valid; logic sdc; logic [23:0] vni; logic [31:0] ip; logic [47:0] mac; logic [31:0] subnet; logic [5:0] sublen;
    logic [7:0] route; logic [7:0] nacl; logic untracked; logic [15:0] sgb; logic [15:0] sgc;
  } eni_t;
  typedef struct packed { logic valid; logic [1:0] kind; logic [7:0] tbl; logic [31:0] start; logic [31:0] edge_ip; } route_t;
  map_t         map_tbl [2][BK][SLOTS];
  eni_t         enis [NE];
  logic [112:0] nacl [NN * 2 * NR];
  route_t       routes [NPOS];        // the active bank

  // Mapping port A: the whole bucket of each way one cycle after the address
  always @(posedge clk) begin
    for (int s = 0; s < SLOTS; s++) begin
      map_data0[s*MAP_W +: MAP_W] <= map_tbl[0][map_addr0][s];
      map_data1[s*MAP_W +: MAP_W] <= map_tbl[1][map_addr1][s];
    end
  end
  // ENI read ports (sender at pop, receiver in T3): combinational
  always_comb begin
    eni_t e, l;
    e = (eni_slot < NE) ? enis[eni_slot[2:0]] : '0;
    l = (leni_slot < NE) ? enis[leni_slot[2:0]] : '0;
    {eni_valid, eni_sdc, eni_vni, eni_ip, eni_mac, eni_subnet, eni_sublen, eni_route, eni_nacl, eni_untracked,
     eni_sg_base, eni_sg_count} = e;
    leni_nacl = l.nacl; leni_subnet = l.subnet; leni_sublen = l.sublen; leni_untracked = l.untracked;
    leni_sg_base = l.sgb; leni_sg_count = l.sgc;
  end

  // ------------------------------------------------------------------ reference (docs)

  function automatic bit map_lookup(input logic [23:0] vni, input logic [31:0] ip, output map_t hit);
    int bkt [2];
    bkt[0] = int'(tb_hash_ref::crc({48'h0, vni, ip}, 7, tb_hash_ref::CRC32C) % BK);
    bkt[1] = int'(tb_hash_ref::crc({48'h0, vni, ip}, 7, tb_hash_ref::CRC32) % BK);
    map_lookup = 0;
    hit = '0;
    for (int w = 0; w < 2; w++)
      for (int s = 0; s < SLOTS; s++)
        if (!map_lookup && map_tbl[w][bkt[w]][s].valid && map_tbl[w][bkt[w]][s].vni == vni && map_tbl[w][bkt[w]][s].ip == ip) begin
          map_lookup = 1;
          hit = map_tbl[w][bkt[w]][s];
        end
  endfunction

  // Route of (t, ip): the valid entry with the greatest (TABLE, START) <= (t, ip); none, another
  // table or KIND 0: no route (kind 0)
  function automatic route_t route_lookup(input logic [7:0] t, input logic [31:0] ip);
    int best;
    best = -1;
    for (int p = 0; p < NPOS; p++) if (routes[p].valid && {routes[p].tbl, routes[p].start} <= {t, ip}) best = p;
    route_lookup = (best < 0 || routes[best].tbl != t) ? '0 : routes[best];
  endfunction

  function automatic bit in_subnet(input logic [31:0] ip, input logic [31:0] subnet, input logic [5:0] len);
    in_subnet = ((ip ^ subnet) & pmask(len > 32 ? 32 : int'(len))) == 0;
  endfunction

  // First-match ACL of (acl, dir); an ACL number past NUM_NACL denies
  function automatic bit acl_allows(input logic [7:0] acl, input int dir, input logic [31:0] rem, input logic [7:0] pr,
                                    input logic [15:0] p1, input logic [15:0] p2);
    bit m;
    m = 0;
    acl_allows = 0;
    if (acl < NN)
      for (int k = 0; k < NR; k++)
        if (!m && rule_match(nacl[(int'(acl) * 2 + dir) * NR + k], rem, pr, p1, p2)) begin
          m = 1;
          acl_allows = nacl[(int'(acl) * 2 + dir) * NR + k][1];
        end
  endfunction

  logic [7:0] fb [64];   // frame bytes 0..63 (0 past the end)
  int         flen, fslot;

  function automatic logic [15:0] be16(input int k); be16 = {fb[k], fb[k + 1]}; endfunction
  function automatic logic [31:0] be32(input int k); be32 = {fb[k], fb[k + 1], fb[k + 2], fb[k + 3]}; endfunction
  function automatic logic [47:0] be48(input int k); be48 = {be16(k), be32(k + 2)}; endfunction

  function automatic logic [15:0] csum16(input logic [159:0] hdr);   // ones' complement sum of 10 words
    logic [31:0] s;
    s = 0;
    for (int i = 0; i < 10; i++) s += 32'(hdr[16*(9-i) +: 16]);
    s = (s & 32'hFFFF) + (s >> 16);
    s = (s & 32'hFFFF) + (s >> 16);
    csum16 = s[15:0];
  endfunction
  function automatic logic [159:0] ip_hdr(input int off);
    for (int i = 0; i < 20; i++) ip_hdr[8*(19-i) +: 8] = fb[off + i];
  endfunction

  typedef struct packed {
    logic [1:0]   kind;
    logic [3:0]   reason;
    logic [7:0]   user;
    logic [15:0]  out_len;
    logic [511:0] beat0;       // byte k in bits 8k+7:8k
    logic [23:0]  s_vni;       // statistics fields
    logic [31:0]  s_isrc, s_idst;
    logic         op0_v, op1_v, mid;
    logic [41:0]  op0, op1;
    logic [153:0] pkt;
  } exp_t;

  function automatic void put_be(inout logic [511:0] b, input int k, input int n, input logic [47:0] v);
    for (int i = 0; i < n; i++) b[8*(k+i) +: 8] = v[8*(n-1-i) +: 8];
  endfunction

  // The TX decision of the frame in fb/flen from slot fslot
  function automatic exp_t reference();
    exp_t   x;
    eni_t   e, l;
    map_t   m;
    route_t rt;
    int     r, tl;
    bit     ev, hit, is_arp;
    logic [15:0] et, frag;
    logic [7:0]  proto, typ;
    logic [31:0] src, dst, tpa, spa, gw, ans_uip;
    logic [47:0] ans, smac;
    bit          frg;
    logic [511:0] b0;
    x = '0;
    b0 = '0;
    ev = fslot < NE && enis[fslot].valid;
    e = (fslot < NE) ? enis[fslot] : '0;
    et = be16(12);
    is_arp = et == 16'h0806;
    r = -1;
    if (flen > MAXF) r = 10;
    else if (flen < 14) r = 0;
    else if (!ev) r = 2;
    else if (be48(6) != e.mac) r = 2;
    else if (is_arp) begin
      spa = be32(28); tpa = be32(38); gw = e.subnet + 1;
      if (flen < 42 || be16(14) != 1 || be16(16) != 16'h0800 || fb[18] != 6 || fb[19] != 4) r = 0;
      else if (be16(20) != 1) r = 1;
      else if (be48(22) != e.mac || (spa != e.ip && spa != 0)) r = 2;
      else if (tpa == e.ip) r = 1;
      else if (tpa == gw) ans = GMAC;
      else if (in_subnet(tpa, e.subnet, e.sublen) && map_lookup(e.vni, tpa, m)) ans = m.mac;
      else r = 3;
      if (r < 0) begin
        x.kind = K_ARP; x.user = 8'(fslot); x.out_len = 42;
        put_be(b0, 0, 6, be48(22)); put_be(b0, 6, 6, ans); put_be(b0, 12, 2, 16'h0806);
        put_be(b0, 14, 2, 1); put_be(b0, 16, 2, 16'h0800); b0[8*18 +: 8] = 6; b0[8*19 +: 8] = 4;
        put_be(b0, 20, 2, 2); put_be(b0, 22, 6, ans); put_be(b0, 28, 4, tpa);
        put_be(b0, 32, 6, be48(22)); put_be(b0, 38, 4, spa);
      end
    end else if (et != 16'h0800) r = 1;
    else begin
      logic [7:0] vihl;
      vihl = fb[14];
      tl = int'(be16(16));
      src = be32(26); dst = be32(30); proto = fb[23];
      if (flen < 34 || vihl[7:4] != 4 || vihl[3:0] < 5) r = 0;
      else if (vihl[3:0] > 5) r = 1;
      else if (csum16(ip_hdr(14)) != 16'hFFFF) r = 0;
      else if (tl < 20 || 14 + tl > flen) r = 0;
      else if (e.sdc && src != e.ip) r = 2;
      else if (fb[22] == 0) r = 11;
      else begin
        // Filter fields (docs/card-filtering.md "Definitions")
        frag = be16(20);
        frg  = frag[13] || frag[12:0] != 0;
        x.pkt[153:146] = proto; x.pkt[145:114] = src; x.pkt[113:82] = dst;
        if ((proto == 6 || proto == 17) && !frg) begin
          if (flen >= 36) x.pkt[81:66] = be16(34);
          if (flen >= 38) x.pkt[65:50] = be16(36);
          x.pkt[33:18] = x.pkt[65:50];
          if (proto == 6 && flen >= 48) begin x.pkt[1] = fb[47][0]; x.pkt[0] = fb[47][2]; end
        end else if (proto == 1 && !frg) begin
          typ = (flen >= 35) ? fb[34] : 8'h0;
          x.pkt[33:18] = 16'(typ);
          x.pkt[17:2]  = (flen >= 36) ? 16'(fb[35]) : 16'h0;
          if (flen >= 40 && (typ == 0 || typ == 8)) x.pkt[49:34] = be16(38);
        end
        // 7. route, mapping
        rt = route_lookup(e.route, dst);
        hit = map_lookup(e.vni, dst, m);
        smac = in_subnet(dst, e.subnet, e.sublen) ? e.mac : GMAC;
        if (rt.kind == 0) r = 3;
        else if (rt.kind == 3) r = 8;
        else if (rt.kind == 1 && !hit) r = 3;
        else begin
          if (rt.kind == 2) begin x.kind = K_NET; ans = GMAC; smac = e.mac; ans_uip = rt.edge_ip; end
          else begin x.kind = m.local_ ? K_HOST : K_NET; ans = m.mac; ans_uip = m.uip; end
          // 8. egress ACL of E unless the destination is in E's subnet
          if (!in_subnet(dst, e.subnet, e.sublen) && !acl_allows(e.nacl, 1, dst, proto, x.pkt[33:18], x.pkt[17:2])) r = 7;
        end
        if (r < 0) begin
          x.op0_v = 1;
          x.op0 = {8'(fslot), 1'b0, e.untracked, e.sgb, e.sgc};
          if (x.kind == K_HOST) begin
            l = (m.slot < NE) ? enis[m.slot[2:0]] : '0;
            x.mid = !in_subnet(src, l.subnet, l.sublen) && !acl_allows(l.nacl, 0, src, proto, x.pkt[33:18], x.pkt[17:2]);
            x.op1_v = !x.mid;
            x.op1 = {m.slot, 1'b1, l.untracked, l.sgb, l.sgc};
            x.user = m.slot; x.out_len = 16'(flen);
            for (int k = 0; k < 64; k++) b0[8*k +: 8] = fb[k];
            put_be(b0, 0, 6, ans); put_be(b0, 6, 6, smac);
          end else begin
            logic [159:0] oh;
            logic [15:0]  sport;
            sport = 16'd49152 + 16'(tb_hash_ref::crc({src, dst, proto, ((proto == 6 || proto == 17) && !frg) ? be32(34) : 32'h0},
                                              13, tb_hash_ref::CRC32C) & 32'h3FFF);
            x.user = 8'(fslot); x.out_len = 16'(flen + 50);
            put_be(b0, 0, 6, NMAC); put_be(b0, 6, 6, UMAC); put_be(b0, 12, 2, 16'h0800);
            oh = {16'h4500, 16'(flen + 36), 16'h0, 16'h4000, 16'h4011, 16'h0, UIP, ans_uip};
            oh[79:64] = ~csum16(oh);
            for (int i = 0; i < 20; i++) b0[8*(14+i) +: 8] = oh[8*(19-i) +: 8];
            put_be(b0, 34, 2, sport); put_be(b0, 36, 2, 16'd4789); put_be(b0, 38, 2, 16'(flen + 16));
            put_be(b0, 40, 2, 0); put_be(b0, 42, 4, 32'h0800_0000); put_be(b0, 46, 3, e.vni);
            b0[8*49 +: 8] = 0;
            put_be(b0, 50, 6, ans); put_be(b0, 56, 6, smac); put_be(b0, 62, 2, be16(12));
          end
        end
      end
    end
    if (r >= 0) begin x.kind = K_DROP; x.reason = 4'(r); x.op0_v = 0; x.op1_v = 0; x.mid = 0; end
    x.s_vni  = ev ? e.vni : 24'h0;
    x.s_isrc = is_arp ? ((flen >= 32) ? be32(28) : 0) : ((flen >= 30) ? be32(26) : 0);
    x.s_idst = is_arp ? ((flen >= 42) ? be32(38) : 0) : ((flen >= 34) ? be32(30) : 0);
    x.beat0 = b0;
    reference = x;
  endfunction

  // ------------------------------------------------------------------ random tables
  function automatic logic [23:0] rand_vni();
    unique case ($urandom % 3)
      0: rand_vni = 24'h000101;
      1: rand_vni = 24'h000202;
      default: rand_vni = 24'hABCDEF;
    endcase
  endfunction
  function automatic logic [31:0] rand_ip();
    unique case ($urandom % 8)
      0: rand_ip = {24'hC0A800, 8'($urandom % 4)};            // 192.168.0.x
      1: rand_ip = 32'h08080808;
      default: rand_ip = {8'd10, 8'd0, 8'($urandom % 3), ($urandom % 2) ? 8'($urandom % 4) : 8'(128 + $urandom % 4)};
    endcase
  endfunction
  function automatic logic [31:0] rand_host(); rand_host = {24'hC63364, 8'($urandom % 4)}; endfunction  // 198.51.100.x

  task automatic write_strobe(input int which, input int index, input logic [255:0] data);
    @(negedge clk);
    route_wr = which == 0; nacl_wr = which == 1; bank_wr = which == 2;
    flt_wr_index = 32'(index); flt_wr_data = data;
    @(negedge clk);
    route_wr = 0; nacl_wr = 0; bank_wr = 0;
  endtask

  task automatic random_tables();
    logic [39:0] keys [$];
    int          n;
    logic        nb;
    for (int w = 0; w < 2; w++) for (int b = 0; b < BK; b++) for (int s = 0; s < SLOTS; s++) map_tbl[w][b][s] = '0;
    for (int i = 0; i < NE; i++) begin
      eni_t        e;
      logic [31:0] ip;
      logic [5:0]  sl;
      ip = {8'd10, 8'd0, 8'($urandom % 3), 8'($urandom % 4)};
      sl = ($urandom % 4 == 0) ? 6'd32 : (($urandom % 2) ? 6'd24 : 6'd25);
      e = {1'($urandom % 10 != 0), 1'($urandom % 3 != 0), rand_vni(), ip, $urandom, 16'($urandom),
           ip & pmask(int'(sl)), sl, ($urandom % 8 == 0) ? 8'd7 : 8'($urandom % 3),
           ($urandom % 8 == 0) ? 8'(NN + $urandom % 3) : 8'($urandom % NN), 1'($urandom % 2), 16'($urandom), 16'($urandom % 50)};
      enis[i] = e;
    end
    for (int i = NE + 23; i >= 0; i--) begin
      map_t m;
      eni_t le;
      int   w, b, s, slot;
      slot = (i < NE) ? i : $urandom % (NE + 1);
      le = enis[i % NE];
      m = {32'($urandom), 16'($urandom), rand_host(), rand_ip(), rand_vni(), 8'(slot),
           1'((i < NE) ? ($urandom % 10 != 0) : ($urandom % 3 == 0)), 1'($urandom % 10 != 0)};
      if (i < NE) begin m.vni = le.vni; m.ip = le.ip; end
      w = $urandom % 2;
      s = $urandom % SLOTS;
      for (int k = 0; k < 2 * SLOTS; k++) begin
        int ww, ss;
        ww = (w + k / SLOTS) % 2;
        ss = (s + k) % SLOTS;
        b = int'(tb_hash_ref::crc({48'h0, m.vni, m.ip}, 7, ww ? tb_hash_ref::CRC32 : tb_hash_ref::CRC32C) % BK);
        if (!map_tbl[ww][b][ss].valid && !map_tbl[ww][b][ss].local_) begin w = ww; s = ss; break; end
      end
      b = int'(tb_hash_ref::crc({48'h0, m.vni, m.ip}, 7, w ? tb_hash_ref::CRC32 : tb_hash_ref::CRC32C) % BK);
      map_tbl[w][b][s] = m;
    end
    // Egress and ingress ACL rules through the table strobe (staging layout)
    for (int i = 0; i < NN * 2 * NR; i++) begin
      logic [15:0]  lo;
      int           len;
      logic [255:0] d;
      lo  = 16'($urandom % 40);
      len = ($urandom % 3 == 0) ? 0 : (($urandom % 2) ? 24 + $urandom % 9 : $urandom % 33);
      nacl[i] = {16'($urandom % 8 + 2), 16'($urandom % 2), lo + 16'($urandom % 50), lo,
                 rand_ip() & pmask(len), 6'(len), ($urandom % 2) ? 8'd6 : (($urandom % 2) ? 8'd17 : 8'd1),
                 1'($urandom % 4 == 0), 1'($urandom % 4 != 0), 1'($urandom % 8 != 0)};
      d = '0;
      {d[nitro_regs_pkg::TBL_NACL_P2_HI_LSB +: 16], d[nitro_regs_pkg::TBL_NACL_P2_LO_LSB +: 16],
       d[nitro_regs_pkg::TBL_NACL_P1_HI_LSB +: 16], d[nitro_regs_pkg::TBL_NACL_P1_LO_LSB +: 16],
       d[nitro_regs_pkg::TBL_NACL_CIDR_LSB +: 32], d[nitro_regs_pkg::TBL_NACL_CIDR_LEN_LSB +: 6],
       d[nitro_regs_pkg::TBL_NACL_PROTOCOL_LSB +: 8], d[nitro_regs_pkg::TBL_NACL_ANY_PROTOCOL_LSB],
       d[nitro_regs_pkg::TBL_NACL_ALLOW_LSB], d[nitro_regs_pkg::TBL_NACL_VALID_LSB]} = nacl[i];
      write_strobe(1, i, d);
    end
    // A new route set in the inactive bank, then the bank switch: tables 0..2, sorted by
    // (TABLE, START), valid entries first
    keys.delete();
    for (int t = 0; t < 3; t++) begin
      logic [31:0] starts [6];
      starts[0] = 32'h0; starts[1] = 32'h0A000000; starts[2] = 32'h0A000080; starts[3] = 32'h0A000100;
      starts[4] = 32'h0A000200; starts[5] = 32'hC0A80000;
      for (int k = 0; k < 6; k++) if ($urandom % 3 != 0 && keys.size() < NPOS) keys.push_back({8'(t), starts[k]});
    end
    n = keys.size();
    nb = !route_bank;
    for (int p = 0; p < NPOS; p++) begin
      route_t       rt;
      logic [255:0] d;
      logic [1:0]   kind;
      kind = ($urandom % 2) ? 2'd1 : 2'($urandom);
      rt = (p < n) ? {1'b1, kind, keys[p][39:32], keys[p][31:0], rand_host()}
                   : {1'b0, 2'($urandom), 8'($urandom), 32'($urandom), 32'($urandom)};
      routes[p] = rt;
      d = '0;
      d[nitro_regs_pkg::TBL_ROUTE_VALID_LSB] = rt.valid;
      d[nitro_regs_pkg::TBL_ROUTE_KIND_LSB +: 2] = rt.kind;
      d[nitro_regs_pkg::TBL_ROUTE_TABLE_LSB +: 8] = rt.tbl;
      d[nitro_regs_pkg::TBL_ROUTE_START_LSB +: 32] = rt.start;
      d[nitro_regs_pkg::TBL_ROUTE_EDGE_IP_LSB +: 32] = rt.edge_ip;
      write_strobe(0, (int'(nb) << LV) | p, d);
    end
    write_strobe(2, 0, 256'(nb) << nitro_regs_pkg::TBL_ROUTE_BANK_ACTIVE_LSB);
    verdict.check(route_bank == nb, "bank switch");
  endtask

  // ------------------------------------------------------------------ random frames
  task automatic put16(input int k, input logic [15:0] v); if (k < 63) begin fb[k] = v[15:8]; fb[k + 1] = v[7:0]; end endtask
  task automatic put32(input int k, input logic [31:0] v); put16(k, v[31:16]); put16(k + 2, v[15:0]); endtask
  task automatic put48(input int k, input logic [47:0] v); put16(k, v[47:32]); put32(k + 2, v[31:0]); endtask

  int n_mut [20];
  task automatic random_frame(output logic [511:0] h, output logic [15:0] len, output logic [7:0] user);
    int          mut, kindsel, tl;
    eni_t        e;
    map_t        m;
    logic [31:0] dst;
    logic [7:0]  proto;
    for (int k = 0; k < 64; k++) fb[k] = 8'($urandom);
    fslot = ($urandom % 16 == 0) ? NE + $urandom % 4 : $urandom % NE;
    e = enis[fslot % NE];
    dst = rand_ip();
    if ($urandom % 5 != 0) begin     // mostly an address the mapping holds for the sender's VNI
      map_t cand [$];
      for (int w = 0; w < 2; w++) for (int b = 0; b < BK; b++) for (int s = 0; s < SLOTS; s++)
        if (map_tbl[w][b][s].valid && map_tbl[w][b][s].vni == e.vni) cand.push_back(map_tbl[w][b][s]);
      if (cand.size() > 0) begin
        m = cand[$urandom % cand.size()];
        dst = m.ip;
      end
    end
    put48(0, {$urandom, 16'($urandom)}); put48(6, e.mac);
    kindsel = $urandom % 10;
    if (kindsel < 3) begin      // ARP request
      put16(12, 16'h0806); put16(14, 1); put16(16, 16'h0800); fb[18] = 6; fb[19] = 4; put16(20, 1);
      put48(22, e.mac); put32(28, ($urandom % 5 == 0) ? 32'h0 : e.ip);
      put48(32, 48'h0);
      unique case ($urandom % 4)
        0: put32(38, e.subnet + 1);
        1: put32(38, e.ip);
        default: put32(38, dst);
      endcase
      flen = 42 + (($urandom % 3 == 0) ? $urandom % 30 : 0);
    end else if (kindsel < 9) begin   // IPv4
      unique case ($urandom % 5)
        0: proto = 8'd1;
        1, 2: proto = 8'd6;
        3: proto = 8'd17;
        default: proto = 8'd47;
      endcase
      tl = ($urandom % 4 == 0) ? 20 + $urandom % 30 : 20 + $urandom % (MTU - 19);
      flen = 14 + tl + (($urandom % 6 == 0) ? $urandom % 10 : 0);
      put16(12, 16'h0800);
      fb[14] = 8'h45; fb[15] = 0; put16(16, 16'(tl));
      put16(20, ($urandom % 8 == 0) ? 16'($urandom % 2 ? 16'h2000 : 16'h0010) : 16'h4000);
      fb[22] = 8'(1 + $urandom % 64); fb[23] = proto;
      put32(26, ($urandom % 8 == 0) ? rand_ip() : e.ip); put32(30, dst);
      if (proto == 1) begin fb[34] = ($urandom % 2) ? 8'd8 : 8'($urandom % 12); fb[35] = 8'($urandom % 4); end
      else if (proto == 6 || proto == 17) put16(36, 16'($urandom % 100));
    end else begin
      put16(12, ($urandom % 2) ? 16'h86DD : 16'($urandom));
      flen = 14 + $urandom % 200;
    end
    mut = ($urandom % 3 == 0) ? $urandom % 20 : -1;
    unique case (mut)
      0: flen = MAXF + 1 + $urandom % 100;
      1: flen = $urandom % 14;
      2: put48(6, {$urandom, 16'($urandom)});
      3: flen = 14 + $urandom % 28;                                   // short ARP / IPv4
      4: fb[14 + $urandom % 6] = 8'($urandom);                        // ARP fields / IPv4 version, IHL, TL, id
      5: put16(20, 16'($urandom % 3));                                // ARP opcode / IPv4 flags
      6: put48(22, {$urandom, 16'($urandom)});                        // ARP sender HW / IPv4 TTL, proto, csum
      7: put32(28, rand_ip());                                        // ARP sender IP / IPv4 source
      8: fb[22] = 0;                                                  // IPv4 TTL (ARP sender HW)
      9: fb[14] = {4'h4, 4'(6 + $urandom % 10)};                      // IPv4 options
      10: put16(16, ($urandom % 2) ? 16'($urandom % 20) : 16'(flen - 13 + $urandom % 10));
      default: ;
    endcase
    if (be16(12) == 16'h0800) begin
      put16(24, 16'h0);
      put16(24, ~csum16(ip_hdr(14)));
      if (mut == 11) put16(24, be16(24) ^ 16'(1 << ($urandom % 16)));
    end
    if (mut >= 0) n_mut[mut]++;
    for (int k = 0; k < 64; k++) if (k >= flen) fb[k] = 0;
    for (int k = 0; k < 64; k++) h[8*k +: 8] = fb[k];
    len = 16'(flen);
    user = 8'(fslot);
  endtask

  // ------------------------------------------------------------------ drive and check
  typedef struct packed { exp_t x; int t; } pend_t;
  pend_t          pend [$];
  logic [15:0]    lens [$];       // frame lengths in header order (statistics field)
  logic [511:0]   hq [$];
  logic [15:0]    lq [$];
  logic [7:0]     uq [$];
  exp_t           xq [$];
  int             cyc = 0, inflight = 0, outs = 0, pops = 0, n_drop [16], n_kind [4], n_mid = 0, n_op1 = 0;

  always_comb begin
    hdr_valid = hq.size() > 0;
    hdr_data  = hdr_valid ? hq[0] : '0;
    hdr_len   = hdr_valid ? lq[0] : '0;
    hdr_user  = hdr_valid ? uq[0] : '0;
  end

  always @(posedge clk) begin
    cyc++;
    if (!rst) begin
      if (rec_wr) begin
        pend_t        p;
        exp_t         x;
        logic [653:0] pay;
        logic [153:0] pkt;
        logic [24:0]  flw;
        logic [41:0]  op1, op0;
        logic         op1_v, op0_v, mid;
        logic [1:0]   kind;
        logic [7:0]   user, slot;
        logic [15:0]  out_len, len;
        logic [511:0] beat0;
        logic [3:0]   reason;
        logic [23:0]  vni;
        logic [31:0]  isrc, idst;
        {pay, flw, pkt, op1, op0, op1_v, op0_v, mid} = rec_data;
        {kind, user, out_len, beat0, reason, slot, vni, isrc, idst, len} = pay;
        if (pend.size() == 0) verdict.check(0, "a record without a header");
        else begin
          p = pend.pop_front();
          x = p.x;
          outs++;
          verdict.check(cyc - p.t == LAT, $sformatf("record %0d: latency %0d, expected %0d", outs, cyc - p.t, LAT));
          verdict.check(kind == x.kind && (kind != K_DROP || reason == x.reason),
                $sformatf("record %0d: kind %0d reason %0d, expected %0d %0d", outs, kind, reason, x.kind, x.reason));
          verdict.check(len == lens[outs - 1], $sformatf("record %0d: len %0d", outs, len));
          // flow field: the frame's length, and whether the egress ACL denied it at the sender's slot
          verdict.check(flw == {lens[outs - 1], x.kind == K_DROP && x.reason == 4'(nitro_regs_pkg::DROP_NACL_DENY), slot},
                $sformatf("record %0d: flow field %h", outs, flw));
          if (x.kind != K_DROP) begin
            verdict.check(user == x.user && out_len == x.out_len,
                  $sformatf("record %0d: tuser %0d out_len %0d, expected %0d %0d", outs, user, out_len, x.user, x.out_len));
            for (int k = 0; k < 64; k++)
              if (beat0[8*k +: 8] != x.beat0[8*k +: 8] && (x.kind != K_HOST || k < int'(x.out_len))) begin
                verdict.check(0, $sformatf("record %0d (kind %0d): beat byte %0d = %h, expected %h", outs, kind, k, beat0[8*k +: 8], x.beat0[8*k +: 8]));
                break;
              end
          end else begin
            verdict.check(vni == x.s_vni && isrc == x.s_isrc && idst == x.s_idst,
                  $sformatf("record %0d: statistics %h %h %h, expected %h %h %h", outs, vni, isrc, idst, x.s_vni, x.s_isrc, x.s_idst));
            n_drop[x.reason]++;
          end
          verdict.check(op0_v == x.op0_v && op1_v == x.op1_v && mid == x.mid,
                $sformatf("record %0d: ops %0d %0d mid %0d, expected %0d %0d %0d", outs, op0_v, op1_v, mid, x.op0_v, x.op1_v, x.mid));
          if (x.op0_v) begin
            verdict.check(op0 == x.op0, $sformatf("record %0d: op0 %h, expected %h", outs, op0, x.op0));
            verdict.check(pkt == x.pkt, $sformatf("record %0d: packet fields %h, expected %h", outs, pkt, x.pkt));
          end
          if (x.op1_v) verdict.check(op1 == x.op1, $sformatf("record %0d: op1 %h, expected %h", outs, op1, x.op1));
          n_kind[x.kind]++;
          n_mid += int'(x.mid);
          n_op1 += int'(x.op1_v);
        end
        inflight--;
      end
      if (hdr_ready) begin
        pend_t np;
        verdict.check(hdr_valid && !freeze, "pop while empty or frozen");
        verdict.check(int'(dec_space) > inflight, $sformatf("pop with %0d in flight and %0d free", inflight, dec_space));
        np.x = xq[0];
        np.t = cyc;
        pend.push_back(np);
        void'(hq.pop_front()); void'(lq.pop_front()); void'(uq.pop_front()); void'(xq.pop_front());
        inflight++;
        pops++;
      end
    end
  end

  task automatic burst(input int n, input bit throttle);
    int t0;
    for (int i = 0; i < n; i++) begin
      logic [511:0] h;
      logic [15:0]  len;
      logic [7:0]   user;
      random_frame(h, len, user);
      xq.push_back(reference());
      hq.push_back(h);
      lq.push_back(len);
      uq.push_back(user);
      lens.push_back(len);
    end
    t0 = cyc;
    while (hq.size() > 0) begin
      @(negedge clk);
      dec_space = throttle ? 6'($urandom % 14) : 6'd32;
      freeze = throttle && ($urandom % 10 == 0);
    end
    @(negedge clk); freeze = 0; dec_space = 6'd32;
    if (!throttle) verdict.check(cyc - t0 <= n + 2, $sformatf("%0d headers popped in %0d cycles", n, cyc - t0));
    while (inflight > 0 || busy) @(posedge clk);
  endtask

  initial begin
    freeze = 0; dec_space = 6'd32; nacl_wr = 0; route_wr = 0; bank_wr = 0; flt_wr_index = 0; flt_wr_data = 0;
    UIP = 32'hC000_0201; UMAC = 48'h02_00_00_00_00_01; NMAC = 48'h02_00_00_00_00_fe; GMAC = 48'h02_00_5e_00_01_01;
    repeat (3) @(posedge clk);
    rst = 0;
    for (int round = 0; round < 30; round++) begin
      random_tables();
      burst(200, round % 3 == 2);
    end
    verdict.check(outs == pops && outs == 6000, $sformatf("%0d records for %0d headers", outs, pops));
    for (int m = 0; m < 12; m++) verdict.check(n_mut[m] > 10, $sformatf("mutation %0d only %0d times", m, n_mut[m]));
    for (int k = 0; k < 4; k++) verdict.check(n_kind[k] > 100, $sformatf("kind %0d only %0d times", k, n_kind[k]));
    for (int r = 0; r < 12; r++) if (r != 4 && r != 5 && r != 6 && r != 9)
      verdict.check(n_drop[r] > 20, $sformatf("drop reason %0d only %0d times", r, n_drop[r]));
    verdict.check(n_mid > 10 && n_op1 > 50, $sformatf("mid_deny %0d, op1 %0d", n_mid, n_op1));
    $display("records %0d: drop %0d host %0d arp %0d net %0d; op1 %0d mid_deny %0d; drops malformed %0d unsupported %0d source %0d unknown %0d nacl %0d blackhole %0d mtu %0d ttl %0d",
             outs, n_kind[0], n_kind[1], n_kind[2], n_kind[3], n_op1, n_mid, n_drop[0], n_drop[1], n_drop[2], n_drop[3],
             n_drop[7], n_drop[8], n_drop[10], n_drop[11]);
    verdict.finish(0);
  end

endmodule
