// nitro_conntrack: the security group stage with connection tracking (docs/card-filtering.md,
// "Security groups and connection tracking"), shared by TX and RX.
//
// Records: each lookup pipeline pushes one record per packet into its pre-decision FIFO:
// {payload (opaque: the decision and statistics of the packet), packet fields, op1, op0,
// op1_v, op0_v, mid_deny}. A record needs 0 ops (dropped or decided before the security group
// stage, ARP), 1 (TX to the network or the edge: egress at the sender; RX: ingress at the
// receiver) or 2 (TX local: egress at the sender E, then ingress at the receiver L; the L op
// is cancelled when E's fails; `mid_deny` = L's ingress ACL denies, checked after E's op).
// Records are taken in order per direction, round-robin between the directions, and leave in
// the same order with the verdict (out_drop, out_reason) of their ops.
//
// Op pipeline, one op per cycle, no stall except a rule scan:
//   issue : the second op of the record in A, else a new record (round-robin), else (not
//           frozen) a sweep op for the next bucket.
//   A     : key (16 bytes: slot, protocol, local IP, remote IP, local port, remote port, 0, 0)
//           -> crc32c -> bucket; every way memory reads the bucket (one simple-dual-port memory
//           per way); the rule array reads the first row of the op's rule range (sg probe).
//   B     : compare the key with every way (live = now - last_seen <= timeout(slot, state) s),
//           decide, write back at most one way (or, for a sweep, clear every way that is not
//           live), emit the record's verdict. A bucket written by the op before is forwarded
//           (the op behind it read the memory in the same cycle as the write).
// A miss whose rule range does not fit in the probed row stalls the pipeline in B while
// nitro_sg_scan scans the range (1 + rows cycles), then completes.
// The sweeper only changes CT_FREE: an entry that is not live is treated as absent anyway.
// The way memories are not cleared by reset: they power up empty (zero) on an FPGA and in
// simulation; CT_FREE resets to the capacity.
module nitro_conntrack #(
  parameter int BUCKETS_LOG2  = 18,   // tracking buckets (log2, 2..20)
  parameter int WAYS          = 4,    // entries per bucket (1..8)
  parameter int NUM_ENI       = 64,   // ENI slots (timeouts table)
  parameter int SG_RULES_LOG2 = 14,   // security group rule array (log2)
  parameter int PAY_W         = 654,  // record payload bits (passed through)
  parameter int REC_W         = PAY_W + 154 + 2 * 42 + 3
) (
  input  logic                     clk,
  input  logic                     rst,           // synchronous, active high
  input  logic                     freeze,        // table commit pending: no sweep ops
  output logic                     busy,          // an op (sweeps included) or a scan in flight
  output logic                     rec_busy,      // a record's op or a scan in flight
  input  logic [63:0]              now,           // time base, microseconds
  // Records
  input  logic [REC_W-1:0]         tx_rec,
  input  logic                     tx_valid,
  output logic                     tx_ready,
  input  logic [REC_W-1:0]         rx_rec,
  input  logic                     rx_valid,
  output logic                     rx_ready,
  output logic [1:0]               tx_inflight,   // TX records taken and not yet out
  output logic [1:0]               rx_inflight,
  // Verdicts, in record order per direction
  output logic                     out_v,
  output logic                     out_rx,        // 0 TX record, 1 RX record
  output logic [PAY_W-1:0]         out_pay,
  output logic                     out_drop,      // dropped by the security group stage or mid_deny
  output logic [3:0]               out_reason,
  // Per-op counter event
  output logic                     sg_v,
  output logic [7:0]               sg_slot,
  output logic                     sg_ingress,
  output logic                     sg_allowed,
  output logic                     sg_exceeded,   // conntrack-full
  output logic [31:0]              ct_free,
  // Tables: security group rules, per-ENI timeouts {udp, udp_stream, tcp_established} (s)
  input  logic                     sg_wr_en,
  input  logic [SG_RULES_LOG2-1:0] sg_wr_index,
  input  logic [112:0]             sg_wr_data,
  input  logic                     tmo_wr_en,
  input  logic [7:0]               tmo_wr_slot,
  input  logic [95:0]              tmo_wr_data,
  input  logic                     rd_mode,       // read-back (pipelines frozen and quiet)
  input  logic [SG_RULES_LOG2-1:0] sg_rd_index,
  output logic [112:0]             sg_rd_data,
  input  logic [7:0]               tmo_rd_slot,
  output logic [95:0]              tmo_rd_data
);

  localparam int PKT_W  = 154;
  localparam int OP_W   = 42;
  localparam int KEY_W  = 112;
  localparam int EW     = KEY_W + 71;    // {last_seen[63:0], fins[1:0], state[2:0], created_ingress, used, key}
  localparam int BL     = BUCKETS_LOG2;
  localparam int SLOT_W = $clog2(NUM_ENI);

  if (BUCKETS_LOG2 < 2 || BUCKETS_LOG2 > 20) begin : g_chk_buckets
    $error("nitro_conntrack: BUCKETS_LOG2 must be in 2..20");
  end
  if (WAYS < 1 || WAYS > 8) begin : g_chk_ways
    $error("nitro_conntrack: WAYS must be in 1..8");
  end
  if (NUM_ENI < 2 || NUM_ENI > 256) begin : g_chk_eni
    $error("nitro_conntrack: NUM_ENI must be in 2..256");
  end
  if (REC_W != PAY_W + PKT_W + 2 * OP_W + 3) begin : g_chk_rec
    $error("nitro_conntrack: REC_W must be PAY_W + 154 + 2 * 42 + 3");
  end

  localparam logic [2:0] ST_NONE = 3'd0, ST_TCP_OPEN = 3'd1, ST_TCP_CLOSED = 3'd2, ST_UDP_NEW = 3'd3,
                         ST_UDP_STREAM = 3'd4;

  // ---------------------------------------------------------------- record fields
  // rec = {pay, pkt, op1, op0, op1_v, op0_v, mid_deny}
  // pkt = {proto[7:0], src, dst, sport, dport, icmp_id (echo only, else 0), p1, p2, fin, rst}
  // op  = {slot[7:0], ingress, untracked, base[15:0], count[15:0]}
  // The flow key of an op: {slot, proto, local, remote, local port, remote port}; ICMP: local
  // port = echo identifier (0 unless echo), remote port 0; TCP/UDP by direction; others 0, 0
  // (the lookups zero the ports of other protocols).
  `define CT_KEY(p, o) {o[41:34], p[146 +: 8], (o[33] ? p[82 +: 32] : p[114 +: 32]), \
                        (o[33] ? p[114 +: 32] : p[82 +: 32]), \
                        ((p[146 +: 8] == 8'd1) ? p[34 +: 16] : (o[33] ? p[50 +: 16] : p[66 +: 16])), \
                        ((p[146 +: 8] == 8'd1) ? 16'h0 : (o[33] ? p[66 +: 16] : p[50 +: 16]))}

  // ---------------------------------------------------------------- pipeline registers
  logic               a_v_q, a_sweep_q, a_rx_q, a_opi_q;
  logic [REC_W-1:0]   a_rec_q;
  logic [BL-1:0]      a_sweep_bkt_q;
  logic               b_v_q, b_sweep_q, b_rx_q, b_opi_q;
  logic [REC_W-1:0]   b_rec_q;
  logic [BL-1:0]      b_bkt_q;
  logic [KEY_W-1:0]   b_key_q;
  logic               last_fail_q;      // the op completed before failed
  logic               rr_q;             // 1: RX had the last record
  logic [BL-1:0]      sweep_ptr_q;
  logic [31:0]        free_q;
  logic               scan_pend_q;      // B's op started a rule scan
  logic               stall, adv;

  // ---------------------------------------------------------------- A: key, bucket, reads
  logic [OP_W-1:0]  a_op;
  logic [PKT_W-1:0] a_pkt;
  logic [KEY_W-1:0] a_key;
  logic [31:0]      a_crc;
  logic [BL-1:0]    a_bkt;

  assign a_op  = a_opi_q ? a_rec_q[3 + OP_W +: OP_W] : a_rec_q[3 +: OP_W];
  assign a_pkt = a_rec_q[3 + 2*OP_W +: PKT_W];
  assign a_key = `CT_KEY(a_pkt, a_op);

  nitro_crc #(.NBYTES(16), .POLY(32'h82F63B78)) u_crc (.msg ({a_key, 16'h0}), .crc (a_crc));

  assign a_bkt = a_sweep_q ? a_sweep_bkt_q : a_crc[BL-1:0];

  // Way memories: one read (A's bucket, held while B stalls) and one write (B) per cycle
  (* mem2reg *) logic [EW-1:0] rd_ent [WAYS];
  (* mem2reg *) logic [EW-1:0] wr_ent [WAYS];
  logic [WAYS-1:0] we;

  for (genvar w = 0; w < WAYS; w++) begin : g_way
    logic [EW-1:0] mem [2 ** BL];
    always_ff @(posedge clk) begin
      if (we[w]) mem[b_bkt_q] <= wr_ent[w];
      if (adv)   rd_ent[w] <= mem[a_bkt];
    end
  end

  // ---------------------------------------------------------------- per-ENI timeouts
  // Seconds as the table holds them (read-back), and the same in microseconds, converted once
  // when the table is written so the per-op liveness check compares without multiplying.
  localparam int US_W = 40;  // 2^32 - 1 s * 10^6 needs 52 bits; TCP_ESTABLISHED is at most 432,000 s
  function automatic logic [US_W-1:0] to_us(input logic [31:0] secs);
    logic [51:0] us;
    us = 52'(secs) * 52'd1000000;
    to_us = (us[51:US_W] != '0) ? '1 : us[US_W-1:0];  // saturate: a longer timeout never expires here either
  endfunction

  logic [95:0]         tmo_mem [NUM_ENI];
  logic [3*US_W-1:0]   tmo_us_mem [NUM_ENI];  // {udp, udp_stream, tcp_established} in microseconds
  always_ff @(posedge clk) begin
    if (tmo_wr_en) begin
      tmo_mem[tmo_wr_slot[SLOT_W-1:0]]    <= tmo_wr_data;
      tmo_us_mem[tmo_wr_slot[SLOT_W-1:0]] <= {to_us(tmo_wr_data[95:64]), to_us(tmo_wr_data[63:32]), to_us(tmo_wr_data[31:0])};
    end
  end
  assign tmo_rd_data = tmo_mem[tmo_rd_slot[SLOT_W-1:0]];

  // ---------------------------------------------------------------- B: compare and decide
  logic [OP_W-1:0]  b_op;
  logic [PKT_W-1:0] b_pkt;
  logic [7:0]       b_proto;
  logic [31:0]      b_remote;
  logic             b_fin, b_rst, b_ing, b_untracked;
  logic [15:0]      b_base, b_count, b_p1, b_p2;
  logic             b_op0_v, b_op1_v, b_mid_deny, b_act, b_cancel;

  assign b_op        = b_opi_q ? b_rec_q[3 + OP_W +: OP_W] : b_rec_q[3 +: OP_W];
  assign b_pkt       = b_rec_q[3 + 2*OP_W +: PKT_W];
  assign b_proto     = b_pkt[146 +: 8];
  assign b_ing       = b_op[33];
  assign b_untracked = b_op[32];
  assign b_base      = b_op[16 +: 16];
  assign b_count     = b_op[0 +: 16];
  assign b_remote    = b_ing ? b_pkt[114 +: 32] : b_pkt[82 +: 32];
  assign b_p1        = b_pkt[18 +: 16];
  assign b_p2        = b_pkt[2 +: 16];
  assign b_fin       = b_pkt[1];
  assign b_rst       = b_pkt[0];
  assign b_mid_deny  = b_rec_q[0];
  assign b_op0_v     = b_rec_q[1];
  assign b_op1_v     = b_rec_q[2];
  assign b_cancel    = b_opi_q && last_fail_q;
  assign b_act       = b_v_q && !b_sweep_q && (b_opi_q ? b_op1_v : b_op0_v) && !b_cancel;

  // Forwarding of the bucket written by the op before
  logic          fwd_v_q;
  logic [BL-1:0] fwd_bkt_q;
  (* mem2reg *) logic [EW-1:0] fwd_ent_q [WAYS];
  (* mem2reg *) logic [EW-1:0] cur [WAYS];
  logic [WAYS-1:0] used, live, match;

  for (genvar w = 0; w < WAYS; w++) begin : g_cmp
    logic [3*US_W-1:0] t;
    logic [US_W-1:0]   limit;
    logic [63:0]       age;
    logic [2:0]        st;
    logic [7:0]        eslot;
    logic              unused_eslot;
    assign unused_eslot = ^eslot;
    assign cur[w]  = (fwd_v_q && fwd_bkt_q == b_bkt_q) ? fwd_ent_q[w] : rd_ent[w];
    assign st      = cur[w][KEY_W + 2 +: 3];
    assign eslot   = cur[w][KEY_W - 8 +: 8];
    assign t       = tmo_us_mem[eslot[SLOT_W-1:0]];
    always_comb begin
      unique case (st)
        ST_TCP_OPEN:   limit = t[0 +: US_W];
        ST_TCP_CLOSED: limit = US_W'(64'd5_000_000);
        ST_UDP_NEW:    limit = t[2*US_W +: US_W];
        ST_UDP_STREAM: limit = t[US_W +: US_W];
        default:       limit = US_W'(64'd600_000_000);
      endcase
    end
    assign age      = now - cur[w][KEY_W + 7 +: 64];
    assign used[w]  = cur[w][KEY_W];
    assign live[w]  = used[w] && (age <= 64'(limit));
    assign match[w] = live[w] && (cur[w][KEY_W-1:0] == b_key_q);
  end

  // Rule check: the probe of the first row, or a scan
  logic        probe_hit, probe_final, scan_done, scan_allowed, scan_ready, scan_start;
  logic        rules_known, rules_match, hit, need_rules;
  logic [15:0] a_base;

  assign a_base = a_op[16 +: 16];

  nitro_sg_scan #(.RULES_LOG2(SG_RULES_LOG2), .PER_CYCLE(4)) u_scan (
    .clk            (clk),
    .rst            (rst),
    .start          (scan_start),
    .ready          (scan_ready),
    .base           (b_base),
    .count          (b_count),
    .remote         (b_remote),
    .proto          (b_proto),
    .p1             (b_p1),
    .p2             (b_p2),
    .done           (scan_done),
    .allowed        (scan_allowed),
    .probe_row_addr (a_base[SG_RULES_LOG2-1:0]),
    .probe_base     (b_base),
    .probe_count    (b_count),
    .probe_remote   (b_remote),
    .probe_proto    (b_proto),
    .probe_p1       (b_p1),
    .probe_p2       (b_p2),
    .probe_hit      (probe_hit),
    .probe_final    (probe_final),
    .wr_en          (sg_wr_en),
    .wr_index       (sg_wr_index),
    .wr_data        (sg_wr_data),
    .rd_mode        (rd_mode),
    .rd_index       (sg_rd_index),
    .rd_data        (sg_rd_data)
  );

  assign hit         = match != '0;
  assign need_rules  = b_act && !hit;
  assign rules_known = scan_pend_q ? scan_done : (probe_hit || probe_final);
  assign rules_match = scan_pend_q ? scan_allowed : probe_hit;
  assign stall       = need_rules && !rules_known;
  assign scan_start  = stall && !scan_pend_q && scan_ready;
  assign adv         = !stall;

  // Decision and write-back
  logic              op_fail, full, insert;
  logic [3:0]        fail_reason;
  logic [$clog2(WAYS+1)-1:0] freed;
  logic              free_dec;
  logic [EW-1:0]     new_ent;

  always_comb begin
    logic [1:0]  fins;
    logic [2:0]  st;
    logic        done_w;
    fins        = 2'b00;
    st          = ST_NONE;
    done_w      = 1'b0;
    op_fail     = 1'b0;
    fail_reason = 4'(nitro_regs_pkg::DROP_SG_DENY);
    full        = 1'b0;
    insert      = 1'b0;
    free_dec    = 1'b0;
    freed       = '0;
    we          = '0;
    new_ent     = '0;
    for (int w = 0; w < WAYS; w++) wr_ent[w] = cur[w];

    if (b_v_q && b_sweep_q) begin
      for (int w = 0; w < WAYS; w++) begin
        if (used[w] && !live[w]) begin
          we[w]     = 1'b1;
          wr_ent[w] = '0;
          freed     = freed + 1'b1;
        end
      end
    end else if (b_act && hit) begin
      // 1. a live entry: refresh it (first matching way)
      done_w = 1'b0;
      for (int w = 0; w < WAYS; w++) begin
        if (match[w] && !done_w) begin
          done_w = 1'b1;
          fins   = cur[w][KEY_W + 5 +: 2];
          st     = cur[w][KEY_W + 2 +: 3];
          if (b_proto == 8'd6) begin
            if (b_rst) st = ST_TCP_CLOSED;
            if (b_fin) begin
              fins = fins | (b_ing ? 2'b01 : 2'b10);
              if (fins == 2'b11) st = ST_TCP_CLOSED;
            end
          end else if (b_proto == 8'd17 && b_ing != cur[w][KEY_W + 1]) begin
            st = ST_UDP_STREAM;
          end
          we[w]     = 1'b1;
          wr_ent[w] = {now, fins, st, cur[w][KEY_W + 1], 1'b1, cur[w][KEY_W-1:0]};
        end
      end
    end else if (b_act && rules_known) begin
      if (!rules_match) begin
        // 2. no rule of the direction matches
        op_fail = 1'b1;
      end else if (!(b_untracked && b_proto != 8'd1)) begin
        // 4. a new entry in the lowest way that is not live
        if (b_proto == 8'd6)       st = b_rst ? ST_TCP_CLOSED : ST_TCP_OPEN;
        else if (b_proto == 8'd17) st = ST_UDP_NEW;
        else                       st = ST_NONE;
        new_ent = {now, 2'b00, st, b_ing, 1'b1, b_key_q};
        done_w  = 1'b0;
        for (int w = 0; w < WAYS; w++) begin
          if (!live[w] && !done_w) begin
            done_w    = 1'b1;
            we[w]     = 1'b1;
            wr_ent[w] = new_ent;
            free_dec  = !used[w];
          end
        end
        insert = done_w;
        if (!done_w) begin
          full        = 1'b1;
          op_fail     = 1'b1;
          fail_reason = 4'(nitro_regs_pkg::DROP_CONNTRACK_FULL);
        end
      end
      // 3. untracked (not ICMP): allowed, nothing recorded
    end
  end

  // ---------------------------------------------------------------- record verdicts
  always_comb begin
    out_v      = 1'b0;
    out_drop   = 1'b0;
    out_reason = fail_reason;
    if (b_v_q && !b_sweep_q && adv) begin
      if (!b_opi_q) begin
        if (!b_op0_v) begin
          out_v = 1'b1;                                   // nothing to do at this stage
        end else if (op_fail) begin
          out_v    = 1'b1;
          out_drop = 1'b1;
        end else if (b_mid_deny) begin
          out_v      = 1'b1;
          out_drop   = 1'b1;
          out_reason = 4'(nitro_regs_pkg::DROP_NACL_DENY);
        end else if (!b_op1_v) begin
          out_v = 1'b1;
        end
      end else if (!b_cancel) begin
        out_v    = 1'b1;
        out_drop = op_fail;
      end
    end
  end
  assign out_rx  = b_rx_q;
  assign out_pay = b_rec_q[REC_W-1 -: PAY_W];

  assign sg_v        = b_act && adv;
  assign sg_slot     = b_op[34 +: 8];
  assign sg_ingress  = b_ing;
  assign sg_allowed  = !op_fail;
  assign sg_exceeded = full;
  assign ct_free     = free_q;

  // ---------------------------------------------------------------- issue
  logic take_tx, take_rx, second, do_sweep;
  assign second   = a_v_q && !a_sweep_q && !a_opi_q && a_rec_q[2];
  assign take_tx  = adv && !second && tx_valid && (!rx_valid || rr_q);
  assign take_rx  = adv && !second && rx_valid && !take_tx;
  assign do_sweep = adv && !second && !tx_valid && !rx_valid && !freeze;
  assign tx_ready = take_tx;
  assign rx_ready = take_rx;

  assign tx_inflight = 2'(a_v_q && !a_sweep_q && !a_opi_q && !a_rx_q) + 2'(b_v_q && !b_sweep_q && !b_rx_q);
  assign rx_inflight = 2'(a_v_q && !a_sweep_q && !a_opi_q && a_rx_q) + 2'(b_v_q && !b_sweep_q && b_rx_q);
  assign busy        = a_v_q || b_v_q || scan_pend_q;
  assign rec_busy    = (a_v_q && !a_sweep_q) || (b_v_q && !b_sweep_q) || scan_pend_q;

  always_ff @(posedge clk) begin
    if (rst) begin
      a_v_q       <= 1'b0;
      b_v_q       <= 1'b0;
      rr_q        <= 1'b0;
      sweep_ptr_q <= '0;
      free_q      <= 32'(WAYS) << BL;
      scan_pend_q <= 1'b0;
      last_fail_q <= 1'b0;
      fwd_v_q     <= 1'b0;
    end else begin
      if (scan_start) scan_pend_q <= 1'b1;
      if (adv) begin
        scan_pend_q <= 1'b0;
        // B <- A
        b_v_q     <= a_v_q;
        b_sweep_q <= a_sweep_q;
        b_rx_q    <= a_rx_q;
        b_opi_q   <= a_opi_q;
        b_rec_q   <= a_rec_q;
        b_bkt_q   <= a_bkt;
        b_key_q   <= a_key;
        // A <- issue
        a_v_q     <= second || take_tx || take_rx || do_sweep;
        a_sweep_q <= do_sweep;
        a_opi_q   <= second;
        if (take_tx) begin
          a_rec_q <= tx_rec;
          a_rx_q  <= 1'b0;
          rr_q    <= 1'b0;
        end else if (take_rx) begin
          a_rec_q <= rx_rec;
          a_rx_q  <= 1'b1;
          rr_q    <= 1'b1;
        end
        if (do_sweep) begin
          a_sweep_bkt_q <= sweep_ptr_q;
          sweep_ptr_q   <= sweep_ptr_q + 1'b1;
        end
        if (b_v_q && !b_sweep_q) last_fail_q <= op_fail || (!b_opi_q && b_op0_v && b_mid_deny);
        if (we != '0) begin
          fwd_v_q   <= 1'b1;
          fwd_bkt_q <= b_bkt_q;
        end
        free_q <= free_q + 32'(freed) - 32'(free_dec);
      end
    end
  end

  always_ff @(posedge clk) begin
    if (adv && we != '0) begin
      for (int w = 0; w < WAYS; w++) fwd_ent_q[w] <= wr_ent[w];
    end
  end

  logic unused_bits;
  assign unused_bits = ^{insert, a_op[32:0], b_pkt[34 +: 48], a_pkt[33:0], a_crc[31:BL], a_base, tmo_wr_slot, tmo_rd_slot,
                         b_rec_q[REC_W-1:3 + 2*OP_W + PKT_W], a_rec_q[REC_W-1:3 + 2*OP_W + PKT_W], a_rec_q[1:0]};

endmodule

`undef CT_KEY
