// tb_nitro_rx_lookup: the RX pre-decision pipeline driven as the card drives it (header records
// from the ingress, the mapping ways' port B one cycle after the address, the ENI read port,
// the edge compare, ACL rule writes through the table strobe), against a reference written from
// docs/card-semantics.md ("RX", "Counters and alarms") and docs/card-filtering.md (RX 12, the
// definitions of the filter fields). Random VXLAN frames on random tables: mapping buckets
// (2 ways x 16 buckets x 2 slots; hits in either way and slot, misses, foreign and non-local
// entries), ENIs (invalid, other VNI / IP), edges, ingress ACLs (first match, implicit deny, same
// subnet skip, ACL numbers past NUM_NACL), and one mutation of each check of RX 0-9 in turn
// (lengths, ethertypes, both IPv4 headers, destination, protocol, UDP port and length, VXLAN
// flags, inner length, TTL). Checked for every record, in order and at the fixed latency: the
// fields the next stages read (drop and reason; for a delivery the slot, inner length and MAC;
// for a drop the alarm fields; for the security group op the slot, untracked flag, rule range
// and the packet's filter fields); admission (one header every two cycles, never while frozen,
// never more in flight than the decision FIFO's free space).
`timescale 1ns/1ps
module tb_nitro_rx_lookup;
  import tb_rule_ref::*;

  tb_verdict #(.TIMEOUT(50000000), .SHOWN(12)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  localparam int NE = 8, WDL = 5, SL = 1, SLOTS = 2 ** SL, BK = 2 ** (WDL - SL), MTU = 1500, NN = 4, NR = 6;
  localparam int MAXF = 14 + MTU, MAP_W = 146, REC = 920, NA_LAT = (NR + 3) / 4 + 1, LAT = 5 + NA_LAT;
  localparam int NEDGE = 4;
  localparam logic [31:0] UIP = 32'hC000_0201;   // 192.0.2.1

  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic [783:0]             hdr_data;
  logic [15:0]              hdr_len;
  logic                     hdr_valid, hdr_ready, freeze, busy;
  logic [5:0]               dec_space;
  logic [WDL-SL-1:0]        map_addr0, map_addr1;
  logic [SLOTS*MAP_W-1:0]   map_data0, map_data1;
  logic [7:0]               eni_slot, eni_nacl;
  logic                     eni_valid, eni_untracked;
  logic [23:0]              eni_vni, edge_vni;
  logic [31:0]              eni_ip, eni_subnet, edge_ip;
  logic [47:0]              eni_mac;
  logic [5:0]               eni_sublen;
  logic [15:0]              eni_sg_base, eni_sg_count;
  logic                     nacl_wr, edge_hit, rec_wr;
  logic [31:0]              flt_wr_index;
  logic [255:0]             flt_wr_data;
  logic [REC-1:0]           rec_data;

  nitro_rx_lookup #(.NUM_ENI(NE), .MAP_WAY_DEPTH_LOG2(WDL), .MAP_BUCKET_SLOTS_LOG2(SL), .IP_MTU(MTU), .DEC_SPACE_W(6),
                    .NUM_NACL(NN), .NACL_RULES(NR)) dut (
    .clk(clk), .rst(rst), .hdr_data(hdr_data), .hdr_len(hdr_len), .hdr_valid(hdr_valid), .hdr_ready(hdr_ready),
    .freeze(freeze), .dec_space(dec_space), .busy(busy), .underlay_ip(UIP),
    .map_addr0(map_addr0), .map_addr1(map_addr1), .map_data0(map_data0), .map_data1(map_data1),
    .eni_slot(eni_slot), .eni_valid(eni_valid), .eni_vni(eni_vni), .eni_ip(eni_ip), .eni_mac(eni_mac),
    .eni_nacl(eni_nacl), .eni_subnet(eni_subnet), .eni_sublen(eni_sublen), .eni_untracked(eni_untracked),
    .eni_sg_base(eni_sg_base), .eni_sg_count(eni_sg_count), .nacl_wr(nacl_wr), .flt_wr_index(flt_wr_index),
    .flt_wr_data(flt_wr_data), .flt_rd_mode(1'b0), .flt_rd_index(32'h0), .edge_vni(edge_vni), .edge_ip(edge_ip),
    .edge_hit(edge_hit), .rec_data(rec_data), .rec_wr(rec_wr));


  // ------------------------------------------------------------------ tables (the card's, as the bench holds them)
  typedef struct packed {
    logic [47:0] mac; logic [31:0] uip; logic [31:0] ip; logic [23:0] vni; logic [7:0] slot; logic local_; logic valid;
  } map_t;
  typedef struct packed {
    logic valid; logic [23:0] vni; logic [31:0] ip; logic [47:0] mac; logic [7:0] nacl; logic [31:0] subnet;
    logic [5:0] sublen; logic untracked; logic [15:0] sgb; logic [15:0] sgc;
  } eni_t;
  map_t        map_tbl [2][BK][SLOTS];
  eni_t        enis [NE];
  logic [80:0] edges [NEDGE];            // {valid, vni, uip}
  logic [112:0] nacl [NN * 2 * NR];

  // Mapping port B: the whole bucket of each way one cycle after the address
  always @(posedge clk) begin
    for (int s = 0; s < SLOTS; s++) begin
      map_data0[s*MAP_W +: MAP_W] <= map_tbl[0][map_addr0][s];
      map_data1[s*MAP_W +: MAP_W] <= map_tbl[1][map_addr1][s];
    end
  end
  // ENI read port and edge compare: combinational
  always_comb begin
    eni_t e;
    e = (eni_slot < NE) ? enis[eni_slot] : '0;
    {eni_valid, eni_vni, eni_ip, eni_mac, eni_nacl, eni_subnet, eni_sublen, eni_untracked, eni_sg_base, eni_sg_count} = e;
    edge_hit = 0;
    for (int i = 0; i < NEDGE; i++) if (edges[i][80] && edges[i][79:56] == edge_vni && edges[i][31:0] == edge_ip) edge_hit = 1;
  end

  // ------------------------------------------------------------------ reference (docs)

  // Mapping lookup: first valid entry with the key in way 0 slot 0 .. way 1 slot S-1
  function automatic bit map_lookup(input logic [23:0] vni, input logic [31:0] ip, output map_t hit);
    int bkt [2];
    bkt[0] = int'(tb_hash_ref::crc(104'({vni, ip}), 7, tb_hash_ref::CRC32C) % BK);
    bkt[1] = int'(tb_hash_ref::crc(104'({vni, ip}), 7, tb_hash_ref::CRC32) % BK);
    map_lookup = 0;
    hit = '0;
    for (int w = 0; w < 2; w++)
      for (int s = 0; s < SLOTS; s++)
        if (!map_lookup && map_tbl[w][bkt[w]][s].valid && map_tbl[w][bkt[w]][s].vni == vni && map_tbl[w][bkt[w]][s].ip == ip) begin
          map_lookup = 1;
          hit = map_tbl[w][bkt[w]][s];
        end
  endfunction

  logic [7:0] fb [128];   // frame bytes 0..127 (0 past the end)
  int         flen;

  function automatic logic [15:0] be16(input int k); be16 = {fb[k], fb[k + 1]}; endfunction
  function automatic logic [31:0] be32(input int k); be32 = {fb[k], fb[k + 1], fb[k + 2], fb[k + 3]}; endfunction

  function automatic logic [15:0] ip_csum(input int off);   // ones' complement sum of the 10 header words
    logic [31:0] s;
    s = 0;
    for (int i = 0; i < 10; i++) s += 32'(be16(off + 2 * i));
    s = (s & 32'hFFFF) + (s >> 16);
    s = (s & 32'hFFFF) + (s >> 16);
    ip_csum = s[15:0];
  endfunction

  // IPv4 header checks of TX IPv4 steps 1-4 at offset `off` against length `len` (bytes from
  // the start of its Ethernet frame): -1 pass, else the reason
  function automatic int ipv4_checks(input int off, input int len);
    logic [7:0] vihl;
    int tl;
    vihl = fb[off];
    tl = int'(be16(off + 2));
    if (len < 34 || vihl[7:4] != 4 || vihl[3:0] < 5) ipv4_checks = 0;       // malformed
    else if (vihl[3:0] > 5) ipv4_checks = 1;                                 // unsupported
    else if (ip_csum(off) != 16'hFFFF) ipv4_checks = 0;
    else if (tl < 20 || 14 + tl > len) ipv4_checks = 0;
    else ipv4_checks = -1;
  endfunction

  typedef struct packed {
    logic         drop;
    logic [3:0]   reason;
    logic [7:0]   slot;        // delivery slot
    logic [15:0]  ilen;
    logic [47:0]  mac;
    logic [7:0]   a_slot;      // alarm fields
    logic [23:0]  a_vni;
    logic [31:0]  a_osrc, a_isrc, a_idst;
    logic         op_v;        // the ingress security group op at L
    logic [41:0]  op;
    logic [153:0] pkt;
  } exp_t;

  // The RX decision of the frame in fb/flen (spec RX 0-12)
  function automatic exp_t reference();
    exp_t  x;
    int    tl, ilen, r, rin;
    map_t  d, s;
    bit    dhit, shit, edge_ok, l_in_subnet, nmatch, nallow;
    eni_t  l;
    logic [23:0] vni;
    logic [31:0] isrc, idst, osrc;
    logic [7:0]  proto, typ;
    logic [15:0] frag;
    bit          frg;
    x = '0;
    tl   = int'(be16(16));
    ilen = tl - 36;
    vni  = {fb[46], fb[47], fb[48]};
    osrc = be32(26); isrc = be32(76); idst = be32(80);
    r = -1;                                          // -1: no drop yet
    if (flen > MAXF + 50) r = 10;
    else if (flen < 14) r = 0;
    else if (be16(12) != 16'h0800) r = 1;
    else begin
      rin = ipv4_checks(14, flen);
      if (rin >= 0) r = rin;
      else if (be32(30) != UIP) r = 4;
      else if (fb[23] != 17) r = 1;
      else if (flen < 42) r = 0;
      else if (be16(36) != 16'd4789) r = 1;
      else if (int'(be16(38)) != tl - 20) r = 0;
      else if (flen < 50) r = 0;
      else if (fb[42] != 8'h08) r = 0;
      else if (ilen > MAXF) r = 10;
      else if (ilen < 14) r = 0;
      else if (be16(62) != 16'h0800) r = 1;
      else begin
        rin = ipv4_checks(64, ilen);                 // the inner frame: bytes 50 .., ilen long
        if (rin >= 0) r = rin;
        else if (fb[72] == 0) r = 11;
      end
    end
    // Step 10: destination; step 11: source / edge
    x.a_slot = 8'hFF;
    if (r < 0) begin
      dhit = map_lookup(vni, idst, d);
      l = (dhit && d.slot < NE) ? enis[d.slot] : '0;
      if (!dhit || !d.local_ || !l.valid || l.vni != vni || l.ip != idst) r = 4;
      else begin
        shit = map_lookup(vni, isrc, s);
        edge_ok = 0;
        for (int i = 0; i < NEDGE; i++) if (edges[i][80] && edges[i][79:56] == vni && edges[i][31:0] == osrc) edge_ok = 1;
        if (!((shit && s.uip == osrc) || edge_ok)) begin
          r = 5;
          x.a_slot = d.slot;
        end
      end
    end
    // Filter fields of the inner packet (docs/card-filtering.md "Definitions"): inner byte k = frame byte 50 + k
    proto = fb[73];
    frag  = be16(70);
    frg   = frag[13] || frag[12:0] != 0;
    x.pkt[153:146] = proto;
    x.pkt[145:114] = isrc;
    x.pkt[113:82]  = idst;
    if ((proto == 6 || proto == 17) && !frg) begin
      if (ilen >= 36) x.pkt[81:66] = be16(84);
      if (ilen >= 38) x.pkt[65:50] = be16(86);
      x.pkt[33:18] = x.pkt[65:50];                     // p1 = dport
      if (proto == 6 && ilen >= 48) begin x.pkt[1] = fb[97][0]; x.pkt[0] = fb[97][2]; end   // FIN, RST
    end else if (proto == 1 && !frg) begin
      typ = (ilen >= 35) ? fb[84] : 8'h0;
      x.pkt[33:18] = 16'(typ);
      x.pkt[17:2]  = (ilen >= 36) ? 16'(fb[85]) : 16'h0;
      if (ilen >= 40 && (typ == 0 || typ == 8)) x.pkt[49:34] = be16(88);
    end
    // Step 12 (card-filtering): L's ingress ACL unless the inner source is in L's subnet
    if (r < 0) begin
      l_in_subnet = ((isrc ^ l.subnet) & pmask(l.sublen > 32 ? 32 : int'(l.sublen))) == 0;
      if (!l_in_subnet) begin
        nmatch = 0; nallow = 0;
        if (l.nacl < NN)
          for (int k = 0; k < NR; k++)
            if (!nmatch && rule_match(nacl[(int'(l.nacl) * 2 + 0) * NR + k], isrc, proto, x.pkt[33:18], x.pkt[17:2])) begin
              nmatch = 1;
              nallow = nacl[(int'(l.nacl) * 2 + 0) * NR + k][1];
            end
        if (!nallow) begin
          r = 7;
          x.a_slot = d.slot;
        end
      end
    end
    x.drop   = r >= 0;
    x.reason = (r >= 0) ? 4'(r) : 4'(0);
    if (r < 0) begin
      x.slot = d.slot;
      x.ilen = 16'(ilen);
      x.mac  = l.mac;
      x.op_v = 1;
      x.op   = {d.slot, 1'b1, l.untracked, l.sgb, l.sgc};
    end
    x.a_vni  = (flen >= 49) ? vni  : 24'h0;
    x.a_osrc = (flen >= 30) ? osrc : 32'h0;
    x.a_isrc = (flen >= 80) ? isrc : 32'h0;
    x.a_idst = (flen >= 84) ? idst : 32'h0;
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
  function automatic logic [31:0] rand_ip(); rand_ip = {8'd10, 8'd0, 8'($urandom % 2), 8'($urandom % 6)}; endfunction
  function automatic logic [31:0] rand_host(); rand_host = {24'hC63364, 8'($urandom % 4)}; endfunction  // 198.51.100.x

  task automatic random_tables();
    for (int w = 0; w < 2; w++) for (int b = 0; b < BK; b++) for (int s = 0; s < SLOTS; s++) map_tbl[w][b][s] = '0;
    for (int i = 0; i < NE; i++) begin
      eni_t        e;
      logic [31:0] ip;
      ip = rand_ip();
      e = {1'($urandom % 10 != 0), rand_vni(), ip, $urandom, 16'($urandom),
           ($urandom % 8 == 0) ? 8'(NN + $urandom % 3) : 8'($urandom % NN), ip[31:8], 8'h0,
           ($urandom % 4 == 0) ? 6'd32 : (($urandom % 2) ? 6'd24 : 6'd31), 1'($urandom % 2), 16'($urandom),
           16'($urandom % 50)};
      enis[i] = e;
    end
    // Mappings of every ENI (local, usually with its own VNI and IP) and of remote addresses
    // (the ENIs' own last, so that few of them are overwritten)
    for (int i = NE + 23; i >= 0; i--) begin
      map_t m;
      int   w, b, s, slot;
      slot = (i < NE) ? i : $urandom % (NE + 1);
      m.valid = $urandom % 10 != 0;
      m.local_ = (i < NE) ? ($urandom % 10 != 0) : ($urandom % 4 == 0);
      if (i < NE) begin m.vni = enis[slot].vni; m.ip = enis[slot].ip; end
      else begin m.vni = rand_vni(); m.ip = rand_ip(); end
      m.slot = 8'(slot);
      m.uip = rand_host();
      m.mac = {$urandom, 16'($urandom)};
      // a free place of the key's two buckets (the random way and slot first), else overwrite
      w = $urandom % 2;
      s = $urandom % SLOTS;
      for (int k = 0; k < 2 * SLOTS; k++) begin
        int ww, ss;
        ww = (w + k / SLOTS) % 2;
        ss = (s + k) % SLOTS;
        b = int'(tb_hash_ref::crc(104'({m.vni, m.ip}), 7, ww ? tb_hash_ref::CRC32 : tb_hash_ref::CRC32C) % BK);
        if (!map_tbl[ww][b][ss].valid && !map_tbl[ww][b][ss].local_) begin w = ww; s = ss; break; end
      end
      b = int'(tb_hash_ref::crc(104'({m.vni, m.ip}), 7, w ? tb_hash_ref::CRC32 : tb_hash_ref::CRC32C) % BK);
      map_tbl[w][b][s] = m;
    end
    for (int i = 0; i < NEDGE; i++) edges[i] = {1'($urandom % 2), rand_vni(), 24'h0, rand_host()};
    // Ingress and egress ACL rules, written through the table strobe in the staging layout
    for (int i = 0; i < NN * 2 * NR; i++) begin
      logic [15:0] lo;
      int          len;
      lo  = 16'($urandom % 40);
      len = ($urandom % 3 == 0) ? 0 : (($urandom % 2) ? 24 + $urandom % 9 : $urandom % 33);
      nacl[i] = {16'($urandom % 8 + 2), 16'($urandom % 2), lo + 16'($urandom % 50), lo,
                 rand_ip() & pmask(len), 6'(len), ($urandom % 2) ? 8'd6 : (($urandom % 2) ? 8'd17 : 8'd1),
                 1'($urandom % 4 == 0), 1'($urandom % 3 != 0), 1'($urandom % 8 != 0)};
      @(negedge clk);
      nacl_wr = 1;
      flt_wr_index = 32'(i);
      flt_wr_data = '0;
      {flt_wr_data[nitro_regs_pkg::TBL_NACL_P2_HI_LSB +: 16], flt_wr_data[nitro_regs_pkg::TBL_NACL_P2_LO_LSB +: 16],
       flt_wr_data[nitro_regs_pkg::TBL_NACL_P1_HI_LSB +: 16], flt_wr_data[nitro_regs_pkg::TBL_NACL_P1_LO_LSB +: 16],
       flt_wr_data[nitro_regs_pkg::TBL_NACL_CIDR_LSB +: 32], flt_wr_data[nitro_regs_pkg::TBL_NACL_CIDR_LEN_LSB +: 6],
       flt_wr_data[nitro_regs_pkg::TBL_NACL_PROTOCOL_LSB +: 8], flt_wr_data[nitro_regs_pkg::TBL_NACL_ANY_PROTOCOL_LSB],
       flt_wr_data[nitro_regs_pkg::TBL_NACL_ALLOW_LSB], flt_wr_data[nitro_regs_pkg::TBL_NACL_VALID_LSB]} = nacl[i];
    end
    @(negedge clk);
    nacl_wr = 0;
  endtask

  // ------------------------------------------------------------------ random frames
  task automatic put16(input int k, input logic [15:0] v); fb[k] = v[15:8]; fb[k + 1] = v[7:0]; endtask
  task automatic put32(input int k, input logic [31:0] v); put16(k, v[31:16]); put16(k + 2, v[15:0]); endtask
  task automatic fix_csum(input int off);
    put16(off + 10, 16'h0);
    put16(off + 10, ~ip_csum(off));
  endtask

  int n_mut [24];
  // A well-formed VXLAN frame to a random (often local) address, then at most one mutation
  task automatic random_frame(output logic [783:0] h, output logic [15:0] len);
    int          ilen, itl, mut, slot;
    logic [23:0] vni;
    logic [31:0] idst, isrc, osrc;
    logic [7:0]  proto;
    eni_t        le;
    for (int k = 0; k < 128; k++) fb[k] = 8'($urandom);
    slot = $urandom % NE;
    le   = enis[slot];
    vni  = ($urandom % 10 == 0) ? rand_vni() : le.vni;
    idst = ($urandom % 10 == 0) ? rand_ip() : le.ip;
    isrc = rand_ip();
    osrc = rand_host();
    // Mostly a source the mapping (or an edge) vouches for
    if ($urandom % 4 != 0) begin
      map_t cand [$];
      for (int w = 0; w < 2; w++) for (int b = 0; b < BK; b++) for (int s = 0; s < SLOTS; s++)
        if (map_tbl[w][b][s].valid && map_tbl[w][b][s].vni == vni) cand.push_back(map_tbl[w][b][s]);
      if (cand.size() > 0 && $urandom % 4 != 0) begin
        map_t m;
        m = cand[$urandom % cand.size()];
        isrc = m.ip;
        osrc = m.uip;
      end else begin
        for (int i = 0; i < NEDGE; i++) if (edges[i][80] && edges[i][79:56] == vni) osrc = edges[i][31:0];
      end
    end
    unique case ($urandom % 5)
      0: proto = 8'd1;
      1, 2: proto = 8'd6;
      3: proto = 8'd17;
      default: proto = 8'($urandom % 3 == 0 ? 47 : 17);
    endcase
    itl  = ($urandom % 4 == 0) ? 20 + $urandom % 30 : 20 + $urandom % (MTU - 19);   // inner total length
    ilen = 14 + itl + (($urandom % 6 == 0) ? $urandom % 10 : 0);                    // inner frame, with padding
    flen = 50 + ilen + (($urandom % 6 == 0) ? $urandom % 10 : 0);                   // outer padding
    put16(12, 16'h0800);
    fb[14] = 8'h45; fb[15] = 0; put16(16, 16'(36 + ilen)); put16(20, 16'h4000); fb[22] = 64; fb[23] = 17;
    put32(26, osrc); put32(30, UIP);
    put16(36, 16'd4789); put16(38, 16'(16 + ilen)); put16(40, 16'h0);
    fb[42] = 8'h08; fb[43] = 0; fb[44] = 0; fb[45] = 0; fb[46] = vni[23:16]; fb[47] = vni[15:8]; fb[48] = vni[7:0]; fb[49] = 0;
    put16(62, 16'h0800);
    fb[64] = 8'h45; put16(66, 16'(itl));
    put16(70, ($urandom % 8 == 0) ? 16'($urandom % 2 ? 16'h2000 : 16'h0010) : 16'h4000);
    fb[72] = 8'(1 + $urandom % 64); fb[73] = proto;
    put32(76, isrc); put32(80, idst);
    if (proto == 1) begin fb[84] = ($urandom % 2) ? 8'd8 : 8'($urandom % 12); fb[85] = 8'($urandom % 4); end
    else if (proto == 6 || proto == 17) put16(86, 16'($urandom % 100));
    mut = ($urandom % 3 == 0) ? $urandom % 24 : -1;
    unique case (mut)
      0: flen = MAXF + 51 + $urandom % 100;
      1: flen = $urandom % 14;
      2: put16(12, ($urandom % 2) ? 16'h86DD : 16'($urandom));
      3: flen = 14 + $urandom % 20;
      4: fb[14] = {4'($urandom % 4 == 0 ? 6 : $urandom), 4'h5};
      5: fb[14] = {4'h4, 4'($urandom % 5)};
      6: fb[14] = {4'h4, 4'(6 + $urandom % 10)};
      8: put16(16, ($urandom % 2) ? 16'($urandom % 20) : 16'(flen - 13 + $urandom % 10));
      9: put32(30, rand_host());
      10: fb[23] = ($urandom % 2) ? 8'd6 : 8'($urandom);
      11: flen = 34 + $urandom % 8;
      12: put16(36, 16'($urandom % 2 ? 4790 : $urandom));
      13: put16(38, 16'(be16(38) + 1 + $urandom % 3));
      14: flen = 42 + $urandom % 8;
      15: fb[42] = ($urandom % 2) ? 8'h0C : 8'($urandom);
      16: put16(16, 16'(36 + $urandom % 14));          // inner_len < 14 (the UDP length follows)
      17: put16(62, ($urandom % 2) ? 16'h0806 : 16'($urandom));
      18: fb[64] = {4'($urandom), 4'($urandom)};
      19: put16(66, ($urandom % 2) ? 16'($urandom % 20) : 16'(itl + 1 + $urandom % 20));
      20: fb[72] = 0;
      21: begin flen = 14 + $urandom % 90; put16(16, 16'(flen - 14)); put16(38, 16'(flen - 34)); end   // short frames
      default: ;
    endcase
    if (mut == 16) put16(38, 16'(be16(16) - 20));
    if (flen < 34 + 16) ;                                     // keep the bytes: truncation zeroes them below
    fix_csum(14);
    if (mut != 22) fix_csum(64);
    if (mut == 7) put16(24, be16(24) ^ 16'(1 << ($urandom % 16)));
    if (mut == 22) put16(74, be16(74) + 1);
    if (mut >= 0) n_mut[mut]++;
    if (flen < 0) flen = 0;
    for (int k = 0; k < 128; k++) if (k >= flen) fb[k] = 0;   // the header record holds 0 past the end
    for (int k = 0; k < 98; k++) h[8*k +: 8] = fb[k];
    len = 16'(flen);
  endtask

  // ------------------------------------------------------------------ drive and check
  typedef struct packed { exp_t x; int t; } pend_t;
  pend_t          pend [$];
  logic [783:0]   hq [$];
  logic [15:0]    lq [$];
  exp_t           xq [$];
  int             cyc = 0, inflight = 0, outs = 0, pops = 0, last_pop = -10, n_drop [16], n_deliver = 0;

  always_comb begin
    hdr_valid = hq.size() > 0;
    hdr_data  = hdr_valid ? hq[0] : '0;
    hdr_len   = hdr_valid ? lq[0] : '0;
  end

  always @(posedge clk) begin
    cyc++;
    if (!rst) begin
      if (rec_wr) begin
        pend_t p;
        exp_t  x;
        logic [653:0] pay;
        logic [153:0] pkt;
        logic [24:0]  flw;
        logic [41:0]  op1, op0;
        logic         op1_v, op0_v, mid;
        logic         drop;
        logic [7:0]   slot, a_slot;
        logic [15:0]  ilen;
        logic [47:0]  mac;
        logic [3:0]   reason;
        logic [23:0]  a_vni;
        logic [31:0]  a_osrc, a_isrc, a_idst;
        {pay, flw, pkt, op1, op0, op1_v, op0_v, mid} = rec_data;
        {drop, slot, ilen, mac, reason, a_slot, a_vni, a_osrc, a_isrc, a_idst} = pay[204:0];
        // flow field: the inner length, and whether the ingress ACL denied it at the local slot
        verdict.check(flw == {ilen, drop && reason == 4'(nitro_regs_pkg::DROP_NACL_DENY), slot},
              $sformatf("record: flow field %h", flw));
        if (pend.size() == 0) verdict.check(0, "a record without a header");
        else begin
          p = pend.pop_front();
          x = p.x;
          outs++;
          verdict.check(cyc - p.t == LAT, $sformatf("record %0d: latency %0d, expected %0d", outs, cyc - p.t, LAT));
          verdict.check(drop == x.drop && (!x.drop || reason == x.reason),
                $sformatf("record %0d: drop %0d reason %0d, expected %0d %0d", outs, drop, reason, x.drop, x.reason));
          if (!x.drop) begin
            verdict.check(slot == x.slot && ilen == x.ilen && mac == x.mac,
                  $sformatf("record %0d: delivery slot %0d len %0d mac %h, expected %0d %0d %h", outs, slot, ilen, mac, x.slot, x.ilen, x.mac));
            verdict.check(op0_v && op0 == x.op, $sformatf("record %0d: op %0d %h, expected %h", outs, op0_v, op0, x.op));
            verdict.check(pkt == x.pkt, $sformatf("record %0d: packet fields %h, expected %h", outs, pkt, x.pkt));
            n_deliver++;
          end else begin
            verdict.check(!op0_v, $sformatf("record %0d: a dropped record asks for an op", outs));
            verdict.check(a_slot == x.a_slot && a_vni == x.a_vni && a_osrc == x.a_osrc && a_isrc == x.a_isrc && a_idst == x.a_idst,
                  $sformatf("record %0d: alarm %h %h %h %h %h, expected %h %h %h %h %h", outs, a_slot, a_vni, a_osrc, a_isrc,
                            a_idst, x.a_slot, x.a_vni, x.a_osrc, x.a_isrc, x.a_idst));
            n_drop[x.reason]++;
          end
          verdict.check(!op1_v && !mid && pay[653:205] == '0, "op1 / mid_deny / unused payload bits set");
        end
        inflight--;
      end
      if (hdr_ready) begin
        verdict.check(hdr_valid && !freeze, "pop while empty or frozen");
        verdict.check(int'(dec_space) > inflight, $sformatf("pop with %0d in flight and %0d free", inflight, dec_space));
        verdict.check(cyc - last_pop >= 2, "two pops in a row");
        begin
          pend_t np;
          np.x = xq[0];
          np.t = cyc;
          pend.push_back(np);
        end
        void'(hq.pop_front()); void'(lq.pop_front()); void'(xq.pop_front());
        inflight++;
        pops++;
        last_pop = cyc;
      end
    end
  end

  // Pops of a saturated input must come every second cycle
  int gaps = 0;

  task automatic burst(input int n, input bit throttle);
    int t0, p0;
    for (int i = 0; i < n; i++) begin
      logic [783:0] h;
      logic [15:0]  len;
      random_frame(h, len);
      xq.push_back(reference());
      hq.push_back(h);
      lq.push_back(len);
    end
    t0 = cyc; p0 = pops;
    while (hq.size() > 0) begin
      @(negedge clk);
      dec_space = throttle ? 6'($urandom % 12) : 6'd32;
      freeze = throttle && ($urandom % 10 == 0);
    end
    @(negedge clk); freeze = 0; dec_space = 6'd32;
    if (!throttle) verdict.check(cyc - t0 <= 2 * n + 2, $sformatf("%0d headers popped in %0d cycles", n, cyc - t0));
    while (inflight > 0 || busy) @(posedge clk);
  endtask

  initial begin
    freeze = 0; dec_space = 6'd32; nacl_wr = 0; flt_wr_index = 0; flt_wr_data = 0;
    repeat (3) @(posedge clk);
    rst = 0;
    for (int round = 0; round < 30; round++) begin
      random_tables();
      burst(200, round % 3 == 2);
    end
    verdict.check(outs == pops && outs == 6000, $sformatf("%0d records for %0d headers", outs, pops));
    for (int m = 0; m < 23; m++) verdict.check(n_mut[m] > 10, $sformatf("mutation %0d only %0d times", m, n_mut[m]));
    verdict.check(n_deliver > 300, $sformatf("only %0d deliveries", n_deliver));
    for (int r = 0; r < 12; r++) if (r != 2 && r != 3 && r != 6 && r != 8 && r != 9)
      verdict.check(n_drop[r] > 20, $sformatf("drop reason %0d only %0d times", r, n_drop[r]));
    $display("records %0d, delivered %0d; drops malformed %0d unsupported %0d not-on-host %0d spoofed %0d nacl-deny %0d mtu %0d ttl %0d",
             outs, n_deliver, n_drop[0], n_drop[1], n_drop[4], n_drop[5], n_drop[7], n_drop[10], n_drop[11]);
    verdict.finish(0);
  end

endmodule

