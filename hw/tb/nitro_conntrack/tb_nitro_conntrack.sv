// tb_nitro_conntrack: the security group stage against a reference model of
// docs/card-filtering.md ("Security groups and connection tracking"): random TX (0, 1 or 2 ops,
// mid_deny) and RX records on a small table (16 buckets x 4 ways) with keys drawn from small
// pools, so hits, same-bucket back-to-back ops (forwarding), full buckets, expiry, TCP RST/FIN
// and UDP stream states, untracked ENIs, ICMP and rule ranges that need a scan all occur.
// Checked: every verdict (order, drop, reason), every per-op counter event, CT_FREE after the
// sweeper has visited every bucket, and one record a cycle for bursts of established flows
// (1-op records, and 2-op TX-local records whose two entries share a bucket).
// Reset (one cycle and five cycles long) after filling the table: CT_FREE is the capacity at
// once, the same records replayed at the same time with empty rule ranges are all sg-deny (an
// entry from before the reset that still hit would allow them), and CT_FREE after a sweep pass
// counts only the entries written since.
// Flow records (docs/card-flow-records.md), with the sweeper held (freeze) except for whole
// passes at one time: the reference counts packets and bytes per entry and direction and emits
// the records of ops (expired entries overwritten by new flows, rejects of sg-deny /
// conntrack-full / mid_deny / a nacl-deny flagged in the record) and of sweep passes (expired,
// interval), for slots with an interval set; the records read from the FIFO are compared with
// them as sets after every pass. FIFO overflow: with the reader stopped, 20 rejects leave the
// first 2^FLOW_LOG2 + 1 in order and count the rest in flow_overflows. No record at all while
// every interval is 0 (the other phases).
`timescale 1ns/1ps
module tb_nitro_conntrack;
  import tb_rule_ref::*;

  tb_verdict #(.TIMEOUT(20000000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  localparam int BL = 4, NB = 2**BL, WAYS = 4, NE = 8, RL = 5, NR = 2**RL, PAY = 33, FLOG2 = 3;
  localparam int REC = PAY + 25 + 154 + 2 * 42 + 3, FREC = 315;

  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic              freeze, busy, rec_busy;
  logic [63:0]       now;
  logic [REC-1:0]    tx_rec, rx_rec;
  logic              tx_valid, tx_ready, rx_valid, rx_ready;
  logic [1:0]        tx_inflight, rx_inflight;
  logic              out_v, out_rx, out_drop;
  logic [PAY-1:0]    out_pay;
  logic [3:0]        out_reason;
  logic [1:0]        sg_v, sg_ingress, sg_allowed, sg_exceeded;
  logic [15:0]       sg_slot;
  logic [31:0]       ct_free;
  logic              sg_wr_en, tmo_wr_en;
  logic [RL-1:0]     sg_wr_index;
  logic [112:0]      sg_wr_data, sg_rd_data;
  logic [7:0]        tmo_wr_slot;
  logic [95:0]       tmo_wr_data, tmo_rd_data;
  logic              ivl_wr_en = 0, flow_valid, flow_ready = 1;
  logic [7:0]        ivl_wr_slot = 0;
  logic [31:0]       ivl_wr_data = 0, flow_overflows;
  logic [FREC-1:0]   flow_data;

  nitro_conntrack #(.BUCKETS_LOG2(BL), .WAYS(WAYS), .NUM_ENI(NE), .SG_RULES_LOG2(RL), .PAY_W(PAY), .FLOW_LOG2(FLOG2)) dut (
    .clk(clk), .rst(rst), .freeze(freeze), .busy(busy), .rec_busy(rec_busy), .now(now),
    .tx_rec(tx_rec), .tx_valid(tx_valid), .tx_ready(tx_ready), .rx_rec(rx_rec), .rx_valid(rx_valid), .rx_ready(rx_ready),
    .tx_inflight(tx_inflight), .rx_inflight(rx_inflight), .out_v(out_v), .out_rx(out_rx), .out_pay(out_pay),
    .out_drop(out_drop), .out_reason(out_reason), .sg_v(sg_v), .sg_slot(sg_slot), .sg_ingress(sg_ingress),
    .sg_allowed(sg_allowed), .sg_exceeded(sg_exceeded), .ct_free(ct_free),
    .sg_wr_en(sg_wr_en), .sg_wr_index(sg_wr_index), .sg_wr_data(sg_wr_data), .tmo_wr_en(tmo_wr_en),
    .tmo_wr_slot(tmo_wr_slot), .tmo_wr_data(tmo_wr_data), .rd_mode(1'b0), .sg_rd_index('0), .sg_rd_data(sg_rd_data),
    .tmo_rd_slot(8'd0), .tmo_rd_data(tmo_rd_data), .ivl_wr_en(ivl_wr_en), .ivl_wr_slot(ivl_wr_slot),
    .ivl_wr_data(ivl_wr_data), .flow_data(flow_data), .flow_valid(flow_valid), .flow_ready(flow_ready),
    .flow_overflows(flow_overflows));


  // ------------------------------------------------------------------ reference
  logic [112:0] rules [NR];
  logic [95:0]  tmo [NE];
  typedef struct packed {
    logic         used;
    logic         co;         // count-only: an untracked flow counted for flow records, never a hit
    logic [111:0] key;
    logic         cin;
    logic [2:0]   st;
    logic [1:0]   fins;
    logic [63:0]  last;
    logic [31:0]  epk;        // flow counts since the last record: egress, ingress, first packet
    logic [39:0]  eby;
    logic [31:0]  ipk;
    logic [39:0]  iby;
    logic [63:0]  first;
  } ent_t;
  logic [31:0]     ivl_s [NE];       // flow record interval per slot (s, 0 = off)
  logic [FREC-1:0] exp_rec [$];      // flow records the reference emitted
  logic [FREC-1:0] got_rec [$];      // and the ones read from the FIFO

  function automatic bit rec_on(input logic [7:0] slot);
    rec_on = ivl_s[slot % NE] != 0;
  endfunction

  function automatic bit ported(input logic [7:0] proto);
    ported = proto == 8'd6 || proto == 8'd17;
  endfunction

  // An entry's unrecorded counts as records: egress (local -> remote) first, then ingress
  function automatic void emit_entry(input ent_t e, input logic [1:0] cause);
    logic [15:0] lp, rp;
    if (!rec_on(e.key[111:104])) return;
    lp = ported(e.key[103:96]) ? e.key[31:16] : 16'h0;
    rp = ported(e.key[103:96]) ? e.key[15:0] : 16'h0;
    if (e.epk != 0) exp_rec.push_back({e.key[111:104], e.key[95:64], e.key[63:32], lp, rp, e.key[103:96], e.epk, e.eby, e.first, e.last, 1'b0, cause});
    if (e.ipk != 0) exp_rec.push_back({e.key[111:104], e.key[63:32], e.key[95:64], rp, lp, e.key[103:96], e.ipk, e.iby, e.first, e.last, 1'b0, cause});
  endfunction

  function automatic void emit_reject(input logic [7:0] slot, input logic [153:0] p, input logic [15:0] len, input logic [63:0] t);
    if (!rec_on(slot)) return;
    exp_rec.push_back({slot, p[114 +: 32], p[82 +: 32], ported(p[146 +: 8]) ? p[66 +: 16] : 16'h0,
                       ported(p[146 +: 8]) ? p[50 +: 16] : 16'h0, p[146 +: 8], 32'd1, 40'(len), t, t, 1'b1, 2'd3});
  endfunction

  function automatic ent_t counted(input ent_t e, input bit ing, input logic [15:0] len, input logic [63:0] t);
    if (e.epk == 0 && e.ipk == 0) e.first = t;
    if (ing) begin e.ipk++; e.iby += 40'(len); end
    else     begin e.epk++; e.eby += 40'(len); end
    counted = e;
  endfunction
  ent_t table_q [NB][WAYS];

  function automatic logic [31:0] crc32c(input logic [103:0] msg);
    logic [31:0] c;
    c = 32'hFFFF_FFFF;
    for (int i = 0; i < 13; i++) begin
      c = c ^ {24'h0, msg[8*(12-i) +: 8]};
      for (int b = 0; b < 8; b++) c = (c >> 1) ^ (32'h82F63B78 & {32{c[0]}});
    end
    crc32c = ~c;
  endfunction

  function automatic bit live(input ent_t e, input logic [63:0] t);
    logic [95:0] m;
    longint unsigned s;
    m = tmo[e.key[111:104] % NE];
    unique case (e.st)
      3'd1: s = m[31:0];
      3'd2: s = 5;
      3'd3: s = m[95:64];
      3'd4: s = m[63:32];
      default: s = 600;
    endcase
    live = e.used && (t - e.last) <= s * 1000000;
  endfunction

  // An entry refreshed by a packet of its flow: TCP RST / FIN both ways close it, UDP seen both ways is a stream.
  function automatic ent_t refreshed(input ent_t e, input logic [7:0] proto, input bit ing, input bit fin,
                                     input bit rs, input logic [63:0] t);
    if (proto == 6) begin
      if (rs) e.st = 3'd2;
      if (fin) begin
        e.fins = e.fins | (ing ? 2'b01 : 2'b10);
        if (e.fins == 2'b11) e.st = 3'd2;
      end
    end else if (proto == 17 && ing != e.cin) e.st = 3'd4;
    e.last = t;
    refreshed = e;
  endfunction

  int n_co = 0, exp_unc = 0;   // count-only entries written; untracked packets that passed uncounted

  typedef struct packed { logic [7:0] slot; logic ing; logic allowed; logic exceeded; } ev_t;
  ev_t exp_ev [$];
  ev_t got_ev [$];

  // One op: returns 0 allowed, else the drop reason
  function automatic int do_op(input logic [153:0] p, input logic [41:0] o, input logic [63:0] t, input logic [15:0] len);
    logic [7:0]   proto, slot;
    logic [31:0]  src, dst, rem;
    logic [15:0]  sport, dport, iid, p1, p2, lport, rport, base, count;
    logic         fin, rs, ing, untr;
    logic [111:0] key;
    int           b, hitw, cow, freew, r;
    bit           match;
    {proto, src, dst, sport, dport, iid, p1, p2, fin, rs} = p;
    {slot, ing, untr, base, count} = o;
    if (proto == 1) begin lport = iid; rport = 0; end
    else begin lport = ing ? dport : sport; rport = ing ? sport : dport; end
    key = {slot, proto, ing ? dst : src, ing ? src : dst, lport, rport};
    rem = ing ? src : dst;
    // Bucket of the flow, its ends ordered (the same for the sender's and the receiver's key)
    b = int'(crc32c({proto, (src < dst) ? src : dst, (src < dst) ? dst : src,
                     (lport < rport) ? lport : rport, (lport < rport) ? rport : lport}) % NB);
    // Step 1 finds a live tracked entry; step 3 (untracked, records on) a live count-only one.
    hitw = -1;
    cow = -1;
    for (int w = 0; w < WAYS; w++) if (live(table_q[b][w], t) && table_q[b][w].key == key) begin
      if (hitw < 0 && !table_q[b][w].co) hitw = w;
      if (cow < 0 && table_q[b][w].co) cow = w;
    end
    untr = untr && proto != 1;
    r = 0;
    if (hitw >= 0) begin
      n_hit++;
      table_q[b][hitw] = counted(refreshed(table_q[b][hitw], proto, ing, fin, rs, t), ing, len, t);
    end else begin
      match = 0;
      for (int i = int'(base); i < int'(base) + int'(count); i++) if (rule_match(rules[i % NR], rem, proto, p1, p2)) match = 1;
      if (!match) r = 6;
      else if (untr && rec_on(slot) && cow >= 0) begin
        n_co++;
        table_q[b][cow] = counted(refreshed(table_q[b][cow], proto, ing, fin, rs, t), ing, len, t);
      end else if (!untr || rec_on(slot)) begin
        freew = -1;
        for (int w = 0; w < WAYS; w++) if (freew < 0 && !live(table_q[b][w], t)) freew = w;
        if (freew < 0) begin
          if (untr) exp_unc++;   // passes uncounted
          else r = 9;
        end else begin
          ent_t e;
          if (table_q[b][freew].used) emit_entry(table_q[b][freew], 2'd1);   // expired, not yet swept
          e = '0;
          e.used = 1; e.co = untr; e.key = key; e.cin = ing; e.fins = 0; e.last = t;
          e.st = (proto == 6) ? (rs ? 3'd2 : 3'd1) : (proto == 17) ? 3'd3 : 3'd0;
          table_q[b][freew] = counted(e, ing, len, t);
          n_co += int'(untr);
        end
      end
    end
    exp_ev.push_back({slot, ing, 1'(r == 0), 1'(r == 9)});
    if (r != 0) emit_reject(slot, p, len, t);
    do_op = r;
  endfunction

  // ------------------------------------------------------------------ stimulus
  logic [REC-1:0] tx_q [$], rx_q [$], taken [$];
  int seq = 0;

  function automatic logic [153:0] rand_pkt();
    logic [7:0]  proto;
    logic [31:0] src, dst;
    logic [15:0] sport, dport, iid, p1, p2;
    logic [7:0]  typ;
    unique case ($urandom % 8)
      0, 1:    proto = 8'd1;
      2, 3, 4: proto = 8'd6;
      5, 6:    proto = 8'd17;
      default: proto = 8'd47;
    endcase
    src = {8'd10, 8'd0, 8'($urandom % 2), 8'($urandom % 4)};
    dst = {8'd10, 8'd0, 8'($urandom % 2), 8'($urandom % 4)};
    sport = 0; dport = 0; iid = 0; p1 = 0; p2 = 0;
    if (proto == 6 || proto == 17) begin
      sport = 16'(1000 + $urandom % 4); dport = 16'($urandom % 12); p1 = dport;
    end else if (proto == 1) begin
      typ = ($urandom % 3 == 0) ? 8'd3 : (($urandom % 2) ? 8'd8 : 8'd0);
      iid = (typ == 0 || typ == 8) ? 16'($urandom % 3) : 16'h0;
      p1 = 16'(typ); p2 = 16'($urandom % 4);
    end
    rand_pkt = {proto, src, dst, sport, dport, iid, p1, p2, 1'($urandom % 8 == 0), 1'($urandom % 16 == 0)};
  endfunction

  int untracked_one_in = 5;   // ops of untracked ENIs: one in this many (more while flow records are on)
  function automatic logic [41:0] rand_op(input bit ing);
    int b;
    b = $urandom % NR;
    rand_op = {8'($urandom % NE), ing, 1'($urandom % untracked_one_in == 0), 16'(b), 16'(($urandom % 4 == 0) ? $urandom % 10 : $urandom % 3)};
  endfunction

  logic [REC-1:0] logged [$];   // records pushed while `logging`, for the replay after a reset
  bit logging = 0;

  logic [153:0] last_p;
  logic [41:0]  last_o0, last_o1;
  task automatic push_random(input bit rx);
    logic [153:0] p;
    logic [41:0]  o0, o1;
    logic [24:0]  fl;
    bit v0, v1, mid;
    p = rand_pkt();
    o0 = rand_op(rx);
    o1 = rand_op(1);
    if (seq > 0 && $urandom % 3 == 0) begin      // the same flow again, back to back (a stream)
      p = last_p; o0 = last_o0; o1 = last_o1;
      o0[33] = rx;
      p[1:0] = 2'($urandom % 8 == 0);             // FIN now and then
    end
    last_p = p; last_o0 = o0; last_o1 = o1;
    v0 = ($urandom % 10 != 0);
    v1 = !rx && v0 && ($urandom % 3 == 0);
    mid = v1 && ($urandom % 6 == 0);
    if (mid) v1 = 0;
    seq++;
    // flow field: a frame length, and now and then a nacl-deny decided before this stage (0 ops)
    fl = {16'(42 + $urandom % 1500), 1'(!v0 && $urandom % 2 == 0), 8'($urandom % NE)};
    if (rx) rx_q.push_back({1'b1, 32'(seq), fl, p, 42'h0, o0, 1'b0, v0, 1'b0});
    else    tx_q.push_back({1'b0, 32'(seq), fl, p, o1, o0, v1, v0, mid});
    if (logging) logged.push_back(rx ? rx_q[rx_q.size() - 1] : tx_q[tx_q.size() - 1]);
  endtask

  // Drive the record interfaces from the queues
  always_comb begin
    tx_valid = tx_q.size() > 0;
    rx_valid = rx_q.size() > 0;
    tx_rec   = tx_valid ? tx_q[0] : '0;
    rx_rec   = rx_valid ? rx_q[0] : '0;
  end
  always @(posedge clk) begin
    if (flow_valid && flow_ready) got_rec.push_back(flow_data);
    if (tx_ready) begin taken.push_back(tx_q[0]); void'(tx_q.pop_front()); end
    if (rx_ready) begin taken.push_back(rx_q[0]); void'(rx_q.pop_front()); end
    for (int e = 0; e < 2; e++) if (sg_v[e]) got_ev.push_back({sg_slot[8*e +: 8], sg_ingress[e], sg_allowed[e], sg_exceeded[e]});
  end

  // Check every verdict against the reference, in the order the records were taken
  int outs = 0, n_deny = 0, n_full = 0, n_nacl = 0, n_hit = 0;
  always @(posedge clk) begin
    if (!rst && out_v) begin
      logic [REC-1:0] r;
      logic [153:0]   p;
      logic [41:0]    o0, o1;
      logic [24:0]    fl;
      logic           v0, v1, mid;
      int             res, exp_reason;
      bit             exp_drop;
      r = taken.pop_front();
      {fl, p, o1, o0, v1, v0, mid} = r[REC-PAY-1:0];
      exp_drop = 0; exp_reason = 0;
      if (v0) begin
        res = do_op(p, o0, now, fl[24:9]);
        if (res != 0) begin exp_drop = 1; exp_reason = res; end
        else if (mid) begin
          exp_drop = 1; exp_reason = 7;
          emit_reject(o1[41:34], p, fl[24:9], now);      // the receiver's ingress ACL
        end else if (v1) begin
          res = do_op(p, o1, now, fl[24:9]);
          if (res != 0) begin exp_drop = 1; exp_reason = res; end
        end
      end else if (fl[8]) begin
        emit_reject(fl[7:0], p, fl[24:9], now);          // nacl-deny before this stage
      end
      verdict.check(out_pay == r[REC-1 -: PAY], $sformatf("verdict order: payload %h, expected %h", out_pay, r[REC-1 -: PAY]));
      verdict.check(out_rx == r[REC-1], "verdict direction");
      verdict.check(out_drop == exp_drop && (!exp_drop || out_reason == 4'(exp_reason)),
            $sformatf("record %0d: drop %0d reason %0d, expected %0d %0d", r[REC-2 -: 32], out_drop, out_reason, exp_drop, exp_reason));
      outs++;
      n_deny += int'(exp_drop && exp_reason == 6);
      n_full += int'(exp_drop && exp_reason == 9);
      n_nacl += int'(exp_drop && exp_reason == 7);
    end
  end

  task automatic drain();
    while (tx_q.size() > 0 || rx_q.size() > 0 || taken.size() > 0 || rec_busy) @(posedge clk);
    repeat (2) @(posedge clk);
  endtask

  task automatic compare_events();
    verdict.check(got_ev.size() == exp_ev.size(), $sformatf("%0d counter events, expected %0d", got_ev.size(), exp_ev.size()));
    while (got_ev.size() > 0 && exp_ev.size() > 0) begin
      ev_t g, e;
      g = got_ev.pop_front(); e = exp_ev.pop_front();
      verdict.check(g == e, $sformatf("counter event %h, expected %h", g, e));
    end
    got_ev.delete(); exp_ev.delete();
  endtask

  // One record opens its flows, then 100 copies of it must leave one a cycle (+3 to fill the
  // pipeline); verdicts and counter events are checked as everywhere else.
  task automatic established_burst(input logic [REC-PAY-1:0] body, input string what);
    int t0, t1;
    seq++; tx_q.push_back({1'b0, 32'(seq), body});
    drain();
    for (int i = 0; i < 100; i++) begin seq++; tx_q.push_back({1'b0, 32'(seq), body}); end
    t0 = outs;
    @(posedge clk);
    t1 = 0;
    while (outs < t0 + 100) begin @(posedge clk); t1++; end
    verdict.check(t1 <= 100 + 3, $sformatf("100 established %s took %0d cycles", what, t1));
    drain();
    compare_events();
  endtask

  function automatic int live_entries();
    live_entries = 0;
    for (int b = 0; b < NB; b++) for (int w = 0; w < WAYS; w++) live_entries += int'(live(table_q[b][w], now));
  endfunction

  // Fill the table at one time, reset for `cycles`, replay the same records with empty rule
  // ranges: after a reset that empties the table every op is a miss and sg-deny.
  task automatic reset_empties_table(input int cycles);
    int nlive, denied;
    logging = 1;
    for (int i = 0; i < 300; i++) push_random($urandom % 3 == 0);
    drain();
    logging = 0;
    compare_events();
    nlive = live_entries();
    verdict.check(nlive >= NB * WAYS / 4, $sformatf("only %0d live entries before the reset", nlive));
    @(negedge clk); rst = 1;
    repeat (cycles) @(negedge clk);
    rst = 0;
    for (int b = 0; b < NB; b++) for (int w = 0; w < WAYS; w++) table_q[b][w] = '0;
    verdict.check(ct_free == 32'(NB * WAYS), $sformatf("CT_FREE %0d after a %0d-cycle reset, expected %0d", ct_free, cycles, NB * WAYS));
    denied = n_deny;
    while (logged.size() > 0) begin
      logic [REC-1:0] r;
      r = logged.pop_front();
      r[3 +: 16] = 16'h0;          // op0: no rule
      r[3 + 42 +: 16] = 16'h0;     // op1: no rule
      seq++;
      r[REC-2 -: 32] = 32'(seq);
      if (r[REC-1]) rx_q.push_back(r); else tx_q.push_back(r);
    end
    drain();
    compare_events();
    verdict.check(n_deny > denied, "no replayed record was denied");
    verdict.check(live_entries() == 0, "the replay created entries");
    repeat (2 * NB + 8) @(posedge clk);
    verdict.check(ct_free == 32'(NB * WAYS), $sformatf("CT_FREE %0d after the replay and a sweep pass, expected %0d", ct_free, NB * WAYS));
    // Fresh flows after the reset use the table normally
    for (int i = 0; i < 100; i++) push_random($urandom % 3 == 0);
    drain();
    compare_events();
    repeat (2 * NB + 8) @(posedge clk);
    nlive = live_entries();
    verdict.check(ct_free == 32'(NB * WAYS - nlive), $sformatf("CT_FREE %0d after a reset and new flows, expected %0d", ct_free, NB * WAYS - nlive));
  endtask

  // ------------------------------------------------------------------ flow records
  // The sweeper's pass at time t, as the reference sees it: expired entries recorded and freed,
  // live ones whose first unrecorded packet is an interval old recorded and restarted.
  task automatic ref_sweep(input logic [63:0] t);
    for (int b = 0; b < NB; b++) for (int w = 0; w < WAYS; w++) begin
      ent_t e;
      e = table_q[b][w];
      if (!e.used) continue;
      if (!live(e, t)) begin
        emit_entry(e, 2'd1);
        table_q[b][w] = '0;
      end else if (rec_on(e.key[111:104]) && (e.epk != 0 || e.ipk != 0)
                   && t - e.first >= 64'(ivl_s[e.key[111:104] % NE]) * 64'd1000000) begin
        emit_entry(e, 2'd2);
        e.epk = 0; e.eby = 0; e.ipk = 0; e.iby = 0;
        table_q[b][w] = e;
      end
    end
  endtask

  task automatic set_interval(input int slot, input logic [31:0] secs);
    ivl_s[slot] = secs;
    @(negedge clk); ivl_wr_en = 1; ivl_wr_slot = 8'(slot); ivl_wr_data = secs;
    @(negedge clk); ivl_wr_en = 0;
  endtask

  // The records read match the reference's, as sets (sweep passes start at any bucket)
  task automatic compare_records(input string what);
    repeat (6) @(posedge clk);     // the FIFO's write-to-read latency
    verdict.check(got_rec.size() == exp_rec.size(), $sformatf("%s: %0d flow records, expected %0d", what, got_rec.size(), exp_rec.size()));
    while (got_rec.size() > 0) begin
      logic [FREC-1:0] g;
      bit found;
      g = got_rec.pop_front();
      found = 0;
      for (int i = 0; i < exp_rec.size() && !found; i++) if (exp_rec[i] == g) begin exp_rec.delete(i); found = 1; end
      verdict.check(found, $sformatf("%s: unexpected flow record %h", what, g));
    end
    foreach (exp_rec[i]) verdict.check(0, $sformatf("%s: missing flow record %h", what, exp_rec[i]));
    exp_rec.delete();
  endtask

  int n_records = 0;
  task automatic flow_records();
    int nexp;
    @(negedge clk); rst = 1;
    @(negedge clk); rst = 0;
    for (int b = 0; b < NB; b++) for (int w = 0; w < WAYS; w++) table_q[b][w] = '0;
    freeze = 1;
    got_rec.delete(); exp_rec.delete();
    for (int s = 0; s < NE; s++) set_interval(s, (s % 4 == 3) ? 32'd0 : 32'(1 + $urandom % 3));
    untracked_one_in = 2;   // count-only entries: created, refreshed, overwritten, swept, uncounted
    for (int round = 0; round < 60; round++) begin
      int n;
      n = 1 + $urandom % 30;
      for (int i = 0; i < n; i++) push_random($urandom % 3 == 0);
      drain();
      compare_events();
      if (round % 3 == 2) begin
        // One sweep pass (and more) at this time; each bucket can hold B 2 * WAYS cycles
        @(negedge clk); freeze = 0;
        repeat (NB * (2 * WAYS + 2) + 16) @(posedge clk);
        @(negedge clk); freeze = 1;
        repeat (4) @(posedge clk);
        ref_sweep(now);
        nexp = exp_rec.size();
        n_records += nexp;
        compare_records($sformatf("round %0d", round));
      end
      @(negedge clk);
      now = now + 64'($urandom % 1_500_000);
    end
    // Overflow: the reader stopped, 20 rejects at slot 0 (an empty rule range: sg-deny)
    flow_ready = 0;
    for (int i = 0; i < 20; i++) begin
      logic [153:0] p;
      p = rand_pkt();
      seq++;
      tx_q.push_back({1'b0, 32'(seq), {16'(100 + i), 1'b0, 8'd0}, p, 42'h0, {8'd0, 1'b0, 1'b0, 16'd0, 16'd0}, 1'b0, 1'b1, 1'b0});
    end
    drain();
    compare_events();
    repeat (4) @(posedge clk);
    verdict.check(exp_rec.size() == 20, $sformatf("%0d rejects expected, not 20", exp_rec.size()));
    verdict.check(flow_overflows == 32'(exp_unc + 20 - (2 ** FLOG2 + 1)), $sformatf("flow_overflows %0d, expected %0d (%0d untracked packets uncounted)", flow_overflows, exp_unc + 20 - (2 ** FLOG2 + 1), exp_unc));
    @(negedge clk); flow_ready = 1;
    repeat (2 ** FLOG2 + 8) @(posedge clk);
    verdict.check(got_rec.size() == 2 ** FLOG2 + 1, $sformatf("%0d records kept, expected %0d", got_rec.size(), 2 ** FLOG2 + 1));
    for (int i = 0; i < 2 ** FLOG2 + 1 && got_rec.size() > 0; i++) begin
      logic [FREC-1:0] g;
      g = got_rec.pop_front();
      verdict.check(g == exp_rec[i], $sformatf("kept record %0d: %h, expected %h", i, g, exp_rec[i]));
    end
    got_rec.delete(); exp_rec.delete();
    for (int s = 0; s < NE; s++) set_interval(s, 0);
    untracked_one_in = 5;
    freeze = 0;
  endtask

  initial begin
    int nlive;
    freeze = 1; now = 64'd1_000_000; sg_wr_en = 0; tmo_wr_en = 0; sg_wr_index = 0; sg_wr_data = 0;
    tmo_wr_slot = 0; tmo_wr_data = 0;
    for (int b = 0; b < NB; b++) for (int w = 0; w < WAYS; w++) table_q[b][w] = '0;
    repeat (3) @(posedge clk);
    rst = 0;
    // Rules: random, a third of them allow-all-ish, and timeouts of 1..4 s
    for (int i = 0; i < NR; i++) begin
      logic [15:0] lo;
      int len;
      lo = 16'($urandom % 8);
      len = ($urandom % 3 == 0) ? 0 : $urandom % 33;
      rules[i] = {16'($urandom % 4 + 1), 16'($urandom % 2), lo + 16'($urandom % 6), lo,
                  {8'd10, 8'd0, 8'($urandom % 2), 8'($urandom % 4)} & pmask(len), 6'(len),
                  ($urandom % 2) ? 8'd6 : (($urandom % 2) ? 8'd17 : 8'd1), 1'($urandom % 2 == 0), 1'b0, 1'($urandom % 8 != 0)};
      @(negedge clk); sg_wr_en = 1; sg_wr_index = RL'(i); sg_wr_data = rules[i];
    end
    @(negedge clk); sg_wr_en = 0;
    for (int s = 0; s < NE; s++) begin
      tmo[s] = {32'($urandom % 4 + 1), 32'($urandom % 4 + 2), 32'($urandom % 4 + 1)};
      @(negedge clk); tmo_wr_en = 1; tmo_wr_slot = 8'(s); tmo_wr_data = tmo[s];
    end
    @(negedge clk); tmo_wr_en = 0;
    for (int s = 0; s < NE; s++) set_interval(s, 0);
    freeze = 0;
    verdict.check(ct_free == 32'(NB * WAYS), $sformatf("CT_FREE after reset %0d", ct_free));

    for (int burst = 0; burst < 400; burst++) begin
      int n;
      n = 1 + $urandom % 30;
      for (int i = 0; i < n; i++) push_random($urandom % 3 == 0);
      drain();
      compare_events();
      if (burst % 20 == 19) begin
        // Let the sweeper visit every bucket at this time, then CT_FREE = capacity - live entries
        repeat (2 * NB + 8) @(posedge clk);
        nlive = 0;
        for (int b = 0; b < NB; b++) for (int w = 0; w < WAYS; w++) nlive += int'(live(table_q[b][w], now));
        verdict.check(ct_free == 32'(NB * WAYS - nlive), $sformatf("burst %0d: CT_FREE %0d, expected %0d", burst, ct_free, NB * WAYS - nlive));
      end
      @(negedge clk);
      now = now + 64'($urandom % 1_500_000);
    end

    // Established flows, one record a cycle: a burst of 1-op TX records whose keys are all live
    begin
      logic [153:0] p;
      logic [41:0]  o, o1;
      p = {8'd47, 32'h0A000001, 32'h0A000002, 16'h0, 16'h0, 16'h0, 16'h0, 16'h0, 1'b0, 1'b0};
      o = {8'd3, 1'b0, 1'b0, 16'd0, 16'd0};
      rules[0] = {16'd0, 16'd0, 16'd0, 16'd0, 32'd0, 6'd0, 8'd0, 1'b1, 1'b0, 1'b1};   // allow all
      @(negedge clk); sg_wr_en = 1; sg_wr_index = '0; sg_wr_data = rules[0];
      @(negedge clk); sg_wr_en = 0;
      o[15:0] = 16'd1;
      established_burst({25'd0, p, 42'h0, o, 1'b0, 1'b1, 1'b0}, "1-op TX records");
      // TX local: the sender's egress op and the receiver's ingress op of each record, both
      // established, one record a cycle (the two entries share the bucket)
      o1 = {8'd5, 1'b1, 1'b0, 16'd0, 16'd1};
      established_burst({25'd0, p, o1, o, 1'b1, 1'b1, 1'b0}, "TX-local records (2 ops each)");
    end

    reset_empties_table(1);
    reset_empties_table(5);
    verdict.check(got_rec.size() == 0 && exp_rec.size() == 0, "flow records with every interval 0");
    verdict.check(n_co == 0 && flow_overflows == 0, "count-only entries or overflows with every interval 0");

    flow_records();

    verdict.check(outs > 3000, $sformatf("only %0d records", outs));
    verdict.check(n_records > 200, $sformatf("only %0d flow records", n_records));
    verdict.check(n_co > 20, $sformatf("only %0d count-only entry writes", n_co));
    $display("records %0d, drops: sg-deny %0d, conntrack-full %0d, nacl-deny %0d; hits %0d; flow records %0d; count-only writes %0d, uncounted %0d",
             outs, n_deny, n_full, n_nacl, n_hit, n_records, n_co, exp_unc);
    verdict.finish(0);
  end

endmodule
