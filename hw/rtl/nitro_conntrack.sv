// nitro_conntrack: the security group stage with connection tracking (docs/card-filtering.md,
// "Security groups and connection tracking"), shared by TX and RX.
//
// Records: each lookup pipeline pushes one record per packet into its pre-decision FIFO: a ctRec
// {payload (opaque: the decision and statistics of the packet), flow fields, packet fields, op1, op0,
// op1_v, op0_v, mid_deny} (docs/registers.md "Records between RTL stages", nitro_regs_pkg CT_REC_*).
// A record needs 0 ops (dropped or decided before the security group stage, ARP), 1 (TX to the
// network or the edge: egress at the sender; RX: ingress at the receiver) or 2 (TX local: egress
// at the sender E, then ingress at the receiver L; the L op is cancelled when E's fails;
// `mid_deny` = L's ingress ACL denies, checked after E's op).
// Records are taken in order per direction, round-robin between the directions, and leave in
// the same order with the verdict (out_drop, out_reason) of their ops.
//
// Record pipeline, one record per cycle (both ops of a TX-local record together), no stall
// except a rule scan:
//   issue : a record (round-robin between the directions), else (not frozen) a sweep op for
//           the next bucket.
//   A     : the ops' keys (16 bytes: slot, protocol, local IP, remote IP, local port, remote
//           port, 0, 0); the bucket = crc32c of the flow with its ends ordered (13 bytes:
//           protocol, lower IP, higher IP, lower port, higher port), the same for both ops of
//           a record; every way memory reads the bucket (one simple-dual-port memory per way);
//           the rule array reads the first row of each op's rule range (sg probes 0 and 1).
//   B     : compare both keys with every way (live = now - last_seen <= timeout(slot, state)
//           s), decide op0 then op1 on the bucket op0 left, write back at most one way per op
//           (or, for a sweep, clear every way that is not live), emit the record's verdict. A
//           bucket written by the record before is forwarded (the record behind it read the
//           memory in the same cycle as the write).
// A miss whose rule range does not fit in its probed row stalls the pipeline in B while
// nitro_sg_scan scans the range (1 + rows cycles; op0's first, then op1's), then completes.
// The sweeper only changes CT_FREE: an entry that is not live is treated as absent anyway.
// Reset empties the table without walking it: every entry carries the epoch it was written in,
// the epoch advances at each reset, and an entry of another epoch reads as unused (the sweeper
// zeroes such entries when it passes, without counting them: CT_FREE, reset to the capacity,
// already counts them as free). The memories power up as zero (unused) on an FPGA and in simulation.
//
// Flow records (docs/card-flow-records.md): beside each entry a counts memory per way keeps the
// flow's unrecorded packets and bytes per direction and the time of its first unrecorded packet.
// In B, the ops count their packet (the record's `flow` field carries its length), and B lists
// the records the op emits: a sweep, each way's expired or interval-due directions; a record op,
// the expired entries its ops overwrite and a reject (sg-deny, conntrack-full, the receiver's ACL,
// or a nacl-deny decided before this stage, flagged in `flow`). Records only exist for slots whose
// interval (per-ENI table, 0 = off) is set. B writes one record a cycle into the record FIFO and
// holds (stall) while more than one is left, so with records off no cycle changes. Rule answers
// are latched in B's first decided cycle so that a hold keeps them (the probes move on).
module nitro_conntrack #(
  parameter int BUCKETS_LOG2  = 18,   // tracking buckets (log2, 2..20)
  parameter int WAYS          = 4,    // entries per bucket (1..8)
  parameter int NUM_ENI       = 64,   // ENI slots (timeouts table)
  parameter int SG_RULES_LOG2 = 14,   // security group rule array (log2)
  parameter int PAY_W         = nitro_regs_pkg::CT_REC_PAY_WIDTH,  // record payload bits (passed through)
  parameter int FLOW_LOG2     = 9,    // flow record FIFO (log2 of its memory words)
  parameter int REC_W         = nitro_regs_pkg::CT_REC_WIDTH,      // a ctRec
  parameter int FREC_W        = nitro_regs_pkg::FLOW_REC_WIDTH     // a flowRec
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
  // Per-op counter events: [0] op0, [1] op1 of the record leaving B
  output logic [1:0]               sg_v,
  output logic [15:0]              sg_slot,       // {op1 slot, op0 slot}
  output logic [1:0]               sg_ingress,
  output logic [1:0]               sg_allowed,
  output logic [1:0]               sg_exceeded,   // conntrack-full
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
  output logic [95:0]              tmo_rd_data,
  // Flow records: per-ENI interval (s, 0 = off), the record FIFO, its overflow count
  input  logic                     ivl_wr_en,
  input  logic [7:0]               ivl_wr_slot,
  input  logic [31:0]              ivl_wr_data,
  output logic [FREC_W-1:0]        flow_data,
  output logic                     flow_valid,
  input  logic                     flow_ready,
  output logic [31:0]              flow_overflows
);

  localparam int PKT_W  = nitro_regs_pkg::CT_PKT_WIDTH;
  localparam int OP_W   = nitro_regs_pkg::CT_OP_WIDTH;
  localparam int KEY_W  = 112;
  localparam int EW     = KEY_W + 72;    // {count_only, last_seen[63:0], fins[1:0], state[2:0], created_ingress, used, key}
  localparam int EP_W   = 8;             // reset epoch stored beside each entry
  localparam int MW     = EP_W + EW;     // way memory word: {epoch, entry}
  localparam int BL     = BUCKETS_LOG2;
  localparam int SLOT_W = $clog2(NUM_ENI);
  localparam int FL_W   = nitro_regs_pkg::CT_FLOW_WIDTH;
  localparam int FW     = 208;           // counts {first[63:0], in_bytes[39:0], in_pkts[31:0], eg_bytes[39:0], eg_pkts[31:0]}
  localparam int NC     = 2 * WAYS + 5;  // record candidates of one B op (sweep: 2 per way; record op: 5)

  if (BUCKETS_LOG2 < 2 || BUCKETS_LOG2 > 20) begin : g_chk_buckets
    $error("nitro_conntrack: BUCKETS_LOG2 must be in 2..20");
  end
  if (WAYS < 1 || WAYS > 8) begin : g_chk_ways
    $error("nitro_conntrack: WAYS must be in 1..8");
  end
  if (NUM_ENI < 2 || NUM_ENI > 256) begin : g_chk_eni
    $error("nitro_conntrack: NUM_ENI must be in 2..256");
  end
  if (PAY_W != nitro_regs_pkg::CT_REC_PAY_WIDTH || REC_W != nitro_regs_pkg::CT_REC_WIDTH) begin : g_chk_rec
    $error("nitro_conntrack: PAY_W and REC_W must be the ctRec record's (nitro_regs_pkg CT_REC_*)");
  end
  if (FREC_W != nitro_regs_pkg::FLOW_REC_WIDTH) begin : g_chk_frec
    $error("nitro_conntrack: FREC_W must be the flowRec record's width (nitro_regs_pkg FLOW_REC_WIDTH)");
  end
  if (FLOW_LOG2 < 1 || FLOW_LOG2 > 16) begin : g_chk_flow
    $error("nitro_conntrack: FLOW_LOG2 must be in 1..16");
  end

  // Entry states (nitro_ct_decide writes them; the liveness check reads them here)
  localparam logic [2:0] ST_TCP_OPEN = 3'd1, ST_TCP_CLOSED = 3'd2, ST_UDP_NEW = 3'd3, ST_UDP_STREAM = 3'd4;

  // ---------------------------------------------------------------- record fields
  // rec a ctRec, its flow a ctFlow, pkt a ctPkt, op0/op1 ctOps (nitro_regs_pkg, docs/registers.md)
  // The flow key of an op: {slot, proto, local, remote, local port, remote port}; ICMP: local
  // port = echo identifier (0 unless echo), remote port 0; TCP/UDP by direction; others 0, 0
  // (the lookups zero the ports of other protocols).
  `define CT_KEY(p, o) {o[nitro_regs_pkg::CT_OP_SLOT_LSB +: nitro_regs_pkg::CT_OP_SLOT_WIDTH], p[nitro_regs_pkg::CT_PKT_PROTO_LSB +: nitro_regs_pkg::CT_PKT_PROTO_WIDTH], \
                        (o[nitro_regs_pkg::CT_OP_INGRESS_LSB] ? p[nitro_regs_pkg::CT_PKT_DST_LSB +: nitro_regs_pkg::CT_PKT_DST_WIDTH] : p[nitro_regs_pkg::CT_PKT_SRC_LSB +: nitro_regs_pkg::CT_PKT_SRC_WIDTH]), \
                        (o[nitro_regs_pkg::CT_OP_INGRESS_LSB] ? p[nitro_regs_pkg::CT_PKT_SRC_LSB +: nitro_regs_pkg::CT_PKT_SRC_WIDTH] : p[nitro_regs_pkg::CT_PKT_DST_LSB +: nitro_regs_pkg::CT_PKT_DST_WIDTH]), \
                        ((p[nitro_regs_pkg::CT_PKT_PROTO_LSB +: nitro_regs_pkg::CT_PKT_PROTO_WIDTH] == 8'd1) ? p[nitro_regs_pkg::CT_PKT_ICMP_ID_LSB +: nitro_regs_pkg::CT_PKT_ICMP_ID_WIDTH] \
                         : (o[nitro_regs_pkg::CT_OP_INGRESS_LSB] ? p[nitro_regs_pkg::CT_PKT_DPORT_LSB +: nitro_regs_pkg::CT_PKT_DPORT_WIDTH] : p[nitro_regs_pkg::CT_PKT_SPORT_LSB +: nitro_regs_pkg::CT_PKT_SPORT_WIDTH])), \
                        ((p[nitro_regs_pkg::CT_PKT_PROTO_LSB +: nitro_regs_pkg::CT_PKT_PROTO_WIDTH] == 8'd1) ? 16'h0 \
                         : (o[nitro_regs_pkg::CT_OP_INGRESS_LSB] ? p[nitro_regs_pkg::CT_PKT_SPORT_LSB +: nitro_regs_pkg::CT_PKT_SPORT_WIDTH] : p[nitro_regs_pkg::CT_PKT_DPORT_LSB +: nitro_regs_pkg::CT_PKT_DPORT_WIDTH]))}

  // ---------------------------------------------------------------- pipeline registers
  logic               a_v_q, a_sweep_q, a_rx_q;
  logic [REC_W-1:0]   a_rec_q;
  logic [BL-1:0]      a_sweep_bkt_q;
  logic               b_v_q, b_sweep_q, b_rx_q;
  logic [REC_W-1:0]   b_rec_q;
  logic [BL-1:0]      b_bkt_q;
  logic [KEY_W-1:0]   b_key0_q, b_key1_q;
  logic               rr_q;             // 1: RX had the last record
  logic [BL-1:0]      sweep_ptr_q;
  logic [31:0]        free_q;
  logic               scan_pend_q;      // B's record started a rule scan ...
  logic               scan_op1_q;       // ... for its op1 (else op0)
  logic               r0_q, r0_allow_q; // op0's rule answer, kept while op1's scan runs or B holds
  logic               r1_q, r1_allow_q; // op1's rule answer, kept while B holds to write flow records
  logic               stall, rule_stall, emit_more, adv;
  logic [EP_W-1:0]    epoch_q;          // advances at each reset; entries of other epochs are unused
  logic               in_rst_q;

  // ---------------------------------------------------------------- A: keys, bucket, reads
  logic [OP_W-1:0]  a_op0, a_op1;
  logic [PKT_W-1:0] a_pkt;
  logic [KEY_W-1:0] a_key0, a_key1;
  logic [31:0]      a_ip_lo, a_ip_hi;
  logic [15:0]      a_port_lo, a_port_hi;
  logic [31:0]      a_crc;
  logic [BL-1:0]    a_bkt;

  assign a_op0 = a_rec_q[nitro_regs_pkg::CT_REC_OP0_LSB +: nitro_regs_pkg::CT_REC_OP0_WIDTH];
  assign a_op1 = a_rec_q[nitro_regs_pkg::CT_REC_OP1_LSB +: nitro_regs_pkg::CT_REC_OP1_WIDTH];
  assign a_pkt = a_rec_q[nitro_regs_pkg::CT_REC_PKT_LSB +: nitro_regs_pkg::CT_REC_PKT_WIDTH];
  assign a_key0 = `CT_KEY(a_pkt, a_op0);
  assign a_key1 = `CT_KEY(a_pkt, a_op1);

  // Bucket: CRC-32C of the flow with its ends in a fixed order (lower address first, lower
  // port first), so it does not depend on the slot or the direction: the sender's (egress) and
  // the receiver's (ingress) entries of a TX-local frame share one bucket and one read.
  assign a_ip_lo   = (a_key0[95:64] < a_key0[63:32]) ? a_key0[95:64] : a_key0[63:32];
  assign a_ip_hi   = (a_key0[95:64] < a_key0[63:32]) ? a_key0[63:32] : a_key0[95:64];
  assign a_port_lo = (a_key0[31:16] < a_key0[15:0])  ? a_key0[31:16] : a_key0[15:0];
  assign a_port_hi = (a_key0[31:16] < a_key0[15:0])  ? a_key0[15:0]  : a_key0[31:16];

  nitro_crc #(.NBYTES(13), .POLY(32'h82F63B78)) u_crc (
    .en  (a_v_q && !a_sweep_q),   // a sweep op reads its own bucket
    .msg ({a_key0[103:96], a_ip_lo, a_ip_hi, a_port_lo, a_port_hi}),
    .crc (a_crc)
  );

  assign a_bkt = a_sweep_q ? a_sweep_bkt_q : a_crc[BL-1:0];

  // Way memories: one read (A's bucket, held while B stalls) and one write (B) per cycle
  // split_var: each way's read its own register (an element of an array costs Verilator a delayed copy a cycle)
  (* mem2reg *) logic [MW-1:0] rd_ent [WAYS] /*verilator split_var*/;
  (* mem2reg *) logic [MW-1:0] wr_ent [WAYS];
  (* mem2reg *) logic [FW-1:0] rd_cnt [WAYS] /*verilator split_var*/;
  (* mem2reg *) logic [FW-1:0] wr_cnt [WAYS];
  logic [WAYS-1:0] we, fwe;

  for (genvar w = 0; w < WAYS; w++) begin : g_way
    logic [MW-1:0] mem [2 ** BL];
    logic [FW-1:0] cmem [2 ** BL];   // the entry's flow counts (written with the entry, or reset alone)
    // Read, then write (read-first: B's write reaches A's read through the forwarding below). The writes are
    // blocking because nothing outside this process reads the memories (non-blocking ones cost the Verilated
    // model a delayed copy, index and flag each, every cycle).
    always_ff @(posedge clk) begin
      if (adv) begin
        rd_ent[w] <= mem[a_bkt];
        rd_cnt[w] <= cmem[a_bkt];
      end
      /* verilator lint_off BLKSEQ */
      if (we[w])  mem[b_bkt_q]  = wr_ent[w];
      if (fwe[w]) cmem[b_bkt_q] = wr_cnt[w];
      /* verilator lint_on BLKSEQ */
    end
  end

  // The epoch is not reset: it moves on once per reset (a reset held several cycles counts once).
  // An entry written before the last reset aliases only if 2^EP_W resets pass before the sweeper
  // reaches its bucket.
  always_ff @(posedge clk) begin
    in_rst_q <= rst;
    if (rst && !in_rst_q) epoch_q <= epoch_q + 1'b1;
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

  // Flow record intervals, in microseconds (0 = records off); written at once, not staged.
  // rec_on_q: one bit a slot (interval not 0), what the ops' step 3 asks (count untracked packets).
  logic [US_W-1:0]    ivl_us_mem [NUM_ENI];
  logic [NUM_ENI-1:0] rec_on_q;
  always_ff @(posedge clk) begin
    if (ivl_wr_en) begin
      ivl_us_mem[ivl_wr_slot[SLOT_W-1:0]] <= to_us(ivl_wr_data);
      rec_on_q[ivl_wr_slot[SLOT_W-1:0]]   <= ivl_wr_data != '0;
    end
  end

  // ---------------------------------------------------------------- B: compare and decide
  // The record's ops run in spec order on the one bucket read: op0 (egress at the sender, or
  // the RX ingress op) on the bucket as read, op1 (ingress at the local receiver) on the bucket
  // as op0 left it; both write back in the same cycle (different ways, or one way twice).
  logic [OP_W-1:0]  b_op0, b_op1;
  logic [PKT_W-1:0] b_pkt;
  logic [7:0]       b_proto;
  logic [31:0]      b_remote0, b_remote1;
  logic             b_fin, b_rst, b_rec;
  logic [15:0]      b_p1, b_p2;
  logic             b_op0_v, b_op1_v, b_mid_deny;

  assign b_op0      = b_rec_q[nitro_regs_pkg::CT_REC_OP0_LSB +: nitro_regs_pkg::CT_REC_OP0_WIDTH];
  assign b_op1      = b_rec_q[nitro_regs_pkg::CT_REC_OP1_LSB +: nitro_regs_pkg::CT_REC_OP1_WIDTH];
  assign b_pkt      = b_rec_q[nitro_regs_pkg::CT_REC_PKT_LSB +: nitro_regs_pkg::CT_REC_PKT_WIDTH];
  assign b_proto    = b_pkt[nitro_regs_pkg::CT_PKT_PROTO_LSB +: nitro_regs_pkg::CT_PKT_PROTO_WIDTH];
  assign b_remote0  = b_op0[nitro_regs_pkg::CT_OP_INGRESS_LSB] ? b_pkt[nitro_regs_pkg::CT_PKT_SRC_LSB +: nitro_regs_pkg::CT_PKT_SRC_WIDTH] : b_pkt[nitro_regs_pkg::CT_PKT_DST_LSB +: nitro_regs_pkg::CT_PKT_DST_WIDTH];
  assign b_remote1  = b_op1[nitro_regs_pkg::CT_OP_INGRESS_LSB] ? b_pkt[nitro_regs_pkg::CT_PKT_SRC_LSB +: nitro_regs_pkg::CT_PKT_SRC_WIDTH] : b_pkt[nitro_regs_pkg::CT_PKT_DST_LSB +: nitro_regs_pkg::CT_PKT_DST_WIDTH];
  assign b_p1       = b_pkt[nitro_regs_pkg::CT_PKT_P1_LSB +: nitro_regs_pkg::CT_PKT_P1_WIDTH];
  assign b_p2       = b_pkt[nitro_regs_pkg::CT_PKT_P2_LSB +: nitro_regs_pkg::CT_PKT_P2_WIDTH];
  assign b_fin      = b_pkt[nitro_regs_pkg::CT_PKT_FIN_LSB];
  assign b_rst      = b_pkt[nitro_regs_pkg::CT_PKT_RST_LSB];
  assign b_mid_deny = b_rec_q[nitro_regs_pkg::CT_REC_MID_DENY_LSB];
  assign b_op0_v    = b_rec_q[nitro_regs_pkg::CT_REC_OP0_V_LSB];
  assign b_op1_v    = b_rec_q[nitro_regs_pkg::CT_REC_OP1_V_LSB];
  assign b_rec      = b_v_q && !b_sweep_q;

  logic [FL_W-1:0] b_flow;
  logic [15:0]     b_len;
  logic            b_nacl;
  logic [7:0]      b_nacl_slot;
  assign b_flow      = b_rec_q[nitro_regs_pkg::CT_REC_FLOW_LSB +: nitro_regs_pkg::CT_REC_FLOW_WIDTH];
  assign b_len       = b_flow[nitro_regs_pkg::CT_FLOW_LEN_LSB +: nitro_regs_pkg::CT_FLOW_LEN_WIDTH];
  assign b_nacl      = b_flow[nitro_regs_pkg::CT_FLOW_NACL_DENY_LSB];
  assign b_nacl_slot = b_flow[nitro_regs_pkg::CT_FLOW_NACL_SLOT_LSB +: nitro_regs_pkg::CT_FLOW_NACL_SLOT_WIDTH];

  // Forwarding of the bucket written by the record (or sweep) before
  logic          fwd_v_q;
  logic [BL-1:0] fwd_bkt_q;
  (* mem2reg *) logic [MW-1:0] fwd_ent_q [WAYS] /*verilator split_var*/;
  (* mem2reg *) logic [FW-1:0] fwd_cnt_q [WAYS] /*verilator split_var*/;
  (* mem2reg *) logic [FW-1:0] cnt [WAYS];      // the flow counts of each way as stored
  logic [WAYS-1:0] on, due, has_eg, has_in;
  (* mem2reg *) logic [MW-1:0] cur_mem [WAYS];  // the bucket as stored, epochs included
  (* mem2reg *) logic [EW-1:0] cur [WAYS];      // as the ops see it: other epochs' entries unused
  logic [WAYS-1:0] used, stale, live, cmp0, cmp1, co;

  for (genvar w = 0; w < WAYS; w++) begin : g_cmp
    logic [3*US_W-1:0] t;
    logic [US_W-1:0]   limit;
    logic [63:0]       age;
    logic [2:0]        st;
    logic [7:0]        eslot;
    logic              unused_eslot;
    assign unused_eslot = ^eslot;
    logic [US_W-1:0] ivl;
    assign cur_mem[w] = (fwd_v_q && fwd_bkt_q == b_bkt_q) ? fwd_ent_q[w] : rd_ent[w];
    assign cnt[w]     = (fwd_v_q && fwd_bkt_q == b_bkt_q) ? fwd_cnt_q[w] : rd_cnt[w];
    assign ivl        = ivl_us_mem[eslot[SLOT_W-1:0]];
    assign on[w]      = ivl != '0;
    assign has_eg[w]  = cnt[w][0 +: 32] != '0;
    assign has_in[w]  = cnt[w][72 +: 32] != '0;
    assign due[w]     = (now - cnt[w][144 +: 64]) >= 64'(ivl);
    assign stale[w]   = cur_mem[w][KEY_W] && cur_mem[w][EW +: EP_W] != epoch_q;
    assign cur[w]     = {cur_mem[w][EW-1:KEY_W+1], cur_mem[w][KEY_W] && !stale[w], cur_mem[w][KEY_W-1:0]};
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
    assign age     = now - cur[w][KEY_W + 7 +: 64];
    assign used[w] = cur[w][KEY_W];
    assign co[w]   = cur[w][EW-1];   // a count-only entry (an untracked flow counted for flow records)
    assign live[w] = used[w] && (age <= 64'(limit));
    assign cmp0[w] = cur[w][KEY_W-1:0] == b_key0_q;
    assign cmp1[w] = cur[w][KEY_W-1:0] == b_key1_q;
  end

  // Rule checks: each op has the probe of the first row of its range (both read in A; probe 1
  // through the rule array's second read port) or, when the range goes on, a scan. A scan for
  // op1 starts once op0 is decided; op0's answer is kept in r0 while it runs (probe 0 shares
  // the scan's read port, so its output is meaningless during a scan; probe 1 is not: while B
  // stalls, its read port is not enabled and keeps B's op1 row instead of reading the row of
  // the record waiting in A).
  logic        probe_hit, probe_final, probe1_hit, probe1_final, scan_done, scan_allowed, scan_ready, scan_start;
  logic        start0, start1;
  logic        rk0, rm0, rk1, rm1;
  logic [15:0] a_base, scan_base, scan_count;
  logic [31:0] scan_remote;

  assign a_base      = a_op0[nitro_regs_pkg::CT_OP_RULE_BASE_LSB +: nitro_regs_pkg::CT_OP_RULE_BASE_WIDTH];
  assign scan_base   = start1 ? b_op1[nitro_regs_pkg::CT_OP_RULE_BASE_LSB +: nitro_regs_pkg::CT_OP_RULE_BASE_WIDTH] : b_op0[nitro_regs_pkg::CT_OP_RULE_BASE_LSB +: nitro_regs_pkg::CT_OP_RULE_BASE_WIDTH];
  assign scan_count  = start1 ? b_op1[nitro_regs_pkg::CT_OP_RULE_COUNT_LSB +: nitro_regs_pkg::CT_OP_RULE_COUNT_WIDTH] : b_op0[nitro_regs_pkg::CT_OP_RULE_COUNT_LSB +: nitro_regs_pkg::CT_OP_RULE_COUNT_WIDTH];
  assign scan_remote = start1 ? b_remote1 : b_remote0;

  nitro_sg_scan #(.RULES_LOG2(SG_RULES_LOG2), .PER_CYCLE(4)) u_scan (
    .clk            (clk),
    .rst            (rst),
    .start          (scan_start),
    .ready          (scan_ready),
    .base           (scan_base),
    .count          (scan_count),
    .remote         (scan_remote),
    .proto          (b_proto),
    .p1             (b_p1),
    .p2             (b_p2),
    .done           (scan_done),
    .allowed        (scan_allowed),
    .probe_row_addr (a_base[SG_RULES_LOG2-1:0]),
    .probe_en       (act0),     // probe 0 answers op0 only
    .probe_base     (b_op0[nitro_regs_pkg::CT_OP_RULE_BASE_LSB +: nitro_regs_pkg::CT_OP_RULE_BASE_WIDTH]),
    .probe_count    (b_op0[nitro_regs_pkg::CT_OP_RULE_COUNT_LSB +: nitro_regs_pkg::CT_OP_RULE_COUNT_WIDTH]),
    .probe_remote   (b_remote0),
    .probe_proto    (b_proto),
    .probe_p1       (b_p1),
    .probe_p2       (b_p2),
    .probe_hit      (probe_hit),
    .probe_final    (probe_final),
    .probe1_rd_en   (adv),      // B's op1 row is kept while B stalls
    .probe1_row_addr (a_op1[nitro_regs_pkg::CT_OP_RULE_BASE_LSB +: SG_RULES_LOG2]),
    .probe1_en      (b_rec && b_op1_v),   // probe 1 answers op1 only
    .probe1_base    (b_op1[nitro_regs_pkg::CT_OP_RULE_BASE_LSB +: nitro_regs_pkg::CT_OP_RULE_BASE_WIDTH]),
    .probe1_count   (b_op1[nitro_regs_pkg::CT_OP_RULE_COUNT_LSB +: nitro_regs_pkg::CT_OP_RULE_COUNT_WIDTH]),
    .probe1_remote  (b_remote1),
    .probe1_hit     (probe1_hit),
    .probe1_final   (probe1_final),
    .wr_en          (sg_wr_en),
    .wr_index       (sg_wr_index),
    .wr_data        (sg_wr_data),
    .rd_mode        (rd_mode),
    .rd_index       (sg_rd_index),
    .rd_data        (sg_rd_data)
  );

  always_comb begin
    if (r0_q) begin
      rk0 = 1'b1;
      rm0 = r0_allow_q;
    end else if (scan_pend_q) begin
      rk0 = scan_done;
      rm0 = scan_allowed;
    end else begin
      rk0 = probe_hit || probe_final;
      rm0 = probe_hit;
    end
  end
  assign rk1 = r1_q || ((scan_pend_q && scan_op1_q) ? scan_done : (probe1_hit || probe1_final));
  assign rm1 = r1_q ? r1_allow_q : ((scan_pend_q && scan_op1_q) ? scan_allowed : probe1_hit);

  // Decision and write-back: op0 on the bucket as read, op1 on the bucket as op0 left it (the
  // way op0 wrote is live and holds op0's key), the sweep clears the ways that are not live.
  logic                 act0, known0, fail0, full0, dec0, ref0, unc0;
  logic                 act1, hit1, known1, fail1, full1, dec1, ref1, unc1;
  logic [WAYS-1:0]      we0, we1, we_sweep, we_scrub, match0, co_match0, match1, co_match1, live1;
  logic [EW-1:0]        new0, new1;
  logic [WAYS*EW-1:0]   cur_flat, ent0_flat;
  (* mem2reg *) logic [EW-1:0] ent0 [WAYS];
  logic [$clog2(WAYS+1)-1:0] freed;

  assign act0 = b_rec && b_op0_v;
  assign act1 = b_rec && b_op0_v && b_op1_v && known0 && !fail0 && !b_mid_deny;
  assign hit1 = match1 != '0;

  for (genvar w = 0; w < WAYS; w++) begin : g_bucket
    assign cur_flat[w*EW +: EW]  = cur[w];
    assign ent0[w]               = we0[w] ? new0 : cur[w];
    assign ent0_flat[w*EW +: EW] = ent0[w];
    assign live1[w]              = live[w] || we0[w];
    assign match0[w]             = live[w] && cmp0[w] && !co[w];
    assign co_match0[w]          = live[w] && cmp0[w] && co[w];
    assign match1[w]             = we0[w] ? (b_key0_q == b_key1_q && !new0[EW-1]) : (live[w] && cmp1[w] && !co[w]);
    assign co_match1[w]          = we0[w] ? (b_key0_q == b_key1_q && new0[EW-1]) : (live[w] && cmp1[w] && co[w]);
    assign we_sweep[w]           = b_v_q && b_sweep_q && used[w] && !live[w];
    assign we_scrub[w]           = b_v_q && b_sweep_q && stale[w];  // already counted free
  end

  nitro_ct_decide #(.WAYS(WAYS), .KEY_W(KEY_W), .EW(EW)) u_op0 (
    .act         (act0),
    .ents        (cur_flat),
    .live        (live),
    .match       (match0),
    .co_match    (co_match0),
    .key         (b_key0_q),
    .ingress     (b_op0[33]),
    .untracked   (b_op0[32]),
    .count       (rec_on_q[b_op0[nitro_regs_pkg::CT_OP_SLOT_LSB +: SLOT_W]]),
    .proto       (b_proto),
    .fin         (b_fin),
    .rst_seen    (b_rst),
    .now         (now),
    .rules_known (rk0),
    .rules_match (rm0),
    .we          (we0),
    .ent         (new0),
    .known       (known0),
    .fail        (fail0),
    .full        (full0),
    .took_unused (dec0),
    .refresh     (ref0),
    .uncounted   (unc0)
  );

  nitro_ct_decide #(.WAYS(WAYS), .KEY_W(KEY_W), .EW(EW)) u_op1 (
    .act         (act1),
    .ents        (ent0_flat),
    .live        (live1),
    .match       (match1),
    .co_match    (co_match1),
    .key         (b_key1_q),
    .ingress     (b_op1[33]),
    .untracked   (b_op1[32]),
    .count       (rec_on_q[b_op1[nitro_regs_pkg::CT_OP_SLOT_LSB +: SLOT_W]]),
    .proto       (b_proto),
    .fin         (b_fin),
    .rst_seen    (b_rst),
    .now         (now),
    .rules_known (rk1),
    .rules_match (rm1),
    .we          (we1),
    .ent         (new1),
    .known       (known1),
    .fail        (fail1),
    .full        (full1),
    .took_unused (dec1),
    .refresh     (ref1),
    .uncounted   (unc1)
  );

  always_comb begin
    freed = '0;
    for (int w = 0; w < WAYS; w++) begin
      freed     = freed + $clog2(WAYS+1)'(we_sweep[w]);
      if (we_sweep[w] || we_scrub[w]) wr_ent[w] = '0;
      else if (we1[w])                wr_ent[w] = {epoch_q, new1};
      else if (we0[w])                wr_ent[w] = {epoch_q, new0};
      else                            wr_ent[w] = {cur_mem[w][EW +: EP_W], ent0[w]};  // unwritten: only forwarded
    end
  end

  assign start0     = act0 && match0 == '0 && !r0_q && !scan_pend_q && !(probe_hit || probe_final);
  assign start1     = act1 && !hit1 && !r1_q && !(scan_pend_q && scan_op1_q) && !(probe1_hit || probe1_final);
  assign rule_stall = (act0 && !known0) || (act1 && !known1);
  assign stall      = rule_stall || emit_more;
  assign scan_start = (start0 || start1) && scan_ready;
  assign adv        = !stall;
  assign we         = adv ? (we0 | we1 | we_sweep | we_scrub) : '0;
  assign fwe        = adv ? (we0 | we1 | ivl_clr) : '0;

  // ---------------------------------------------------------------- flow counts and records
  // counts = {first[63:0], in_bytes[39:0], in_pkts[31:0], eg_bytes[39:0], eg_pkts[31:0]}; the
  // packet counts saturate at 2^32 - 1, the byte counts at 2^40 - 1.
  function automatic logic [FW-1:0] counted(input logic [FW-1:0] c, input logic ingress);
    logic [31:0] pk;
    logic [40:0] by;
    logic [63:0] first;
    logic [FW-1:0] r;
    first = (c[0 +: 32] == '0 && c[72 +: 32] == '0) ? now : c[144 +: 64];
    pk    = ingress ? c[72 +: 32] : c[0 +: 32];
    by    = {1'b0, (ingress ? c[104 +: 40] : c[32 +: 40])} + 41'(b_len);
    pk    = (pk == '1) ? pk : pk + 32'd1;
    r     = {first, c[0 +: 144]};
    if (ingress) begin
      r[72 +: 32]  = pk;
      r[104 +: 40] = by[40] ? '1 : by[39:0];
    end else begin
      r[0 +: 32]   = pk;
      r[32 +: 40]  = by[40] ? '1 : by[39:0];
    end
    counted = r;
  endfunction

  // A flowRec (nitro_regs_pkg FLOW_REC_*; cause 1 expired, 2 interval, 3 rejected) from its fields.
  function automatic logic [FREC_W-1:0] flow_record(input logic [7:0] slot, input logic [31:0] src,
                                                     input logic [31:0] dst, input logic [15:0] sport,
                                                     input logic [15:0] dport, input logic [7:0] proto,
                                                     input logic [31:0] packets, input logic [39:0] bytes,
                                                     input logic [63:0] first, input logic [63:0] last,
                                                     input logic rejected, input logic [1:0] cause);
    logic [FREC_W-1:0] r;
    r = '0;
    r[nitro_regs_pkg::FLOW_REC_SLOT_LSB +: nitro_regs_pkg::FLOW_REC_SLOT_WIDTH]     = slot;
    r[nitro_regs_pkg::FLOW_REC_SRC_LSB +: nitro_regs_pkg::FLOW_REC_SRC_WIDTH]      = src;
    r[nitro_regs_pkg::FLOW_REC_DST_LSB +: nitro_regs_pkg::FLOW_REC_DST_WIDTH]      = dst;
    r[nitro_regs_pkg::FLOW_REC_SPORT_LSB +: nitro_regs_pkg::FLOW_REC_SPORT_WIDTH]    = sport;
    r[nitro_regs_pkg::FLOW_REC_DPORT_LSB +: nitro_regs_pkg::FLOW_REC_DPORT_WIDTH]    = dport;
    r[nitro_regs_pkg::FLOW_REC_PROTO_LSB +: nitro_regs_pkg::FLOW_REC_PROTO_WIDTH]    = proto;
    r[nitro_regs_pkg::FLOW_REC_PACKETS_LSB +: nitro_regs_pkg::FLOW_REC_PACKETS_WIDTH]  = packets;
    r[nitro_regs_pkg::FLOW_REC_BYTES_LSB +: nitro_regs_pkg::FLOW_REC_BYTES_WIDTH]    = bytes;
    r[nitro_regs_pkg::FLOW_REC_FIRST_LSB +: nitro_regs_pkg::FLOW_REC_FIRST_WIDTH]    = first;
    r[nitro_regs_pkg::FLOW_REC_LAST_LSB +: nitro_regs_pkg::FLOW_REC_LAST_WIDTH]     = last;
    r[nitro_regs_pkg::FLOW_REC_REJECTED_LSB] = rejected;
    r[nitro_regs_pkg::FLOW_REC_CAUSE_LSB +: nitro_regs_pkg::FLOW_REC_CAUSE_WIDTH]    = cause;
    flow_record = r;
  endfunction

  // The record of an entry. Its direction: egress = as the slot sent (local -> remote), ingress the
  // reverse; ports only for TCP and UDP.
  function automatic logic [FREC_W-1:0] entry_record(input logic [KEY_W-1:0] e, input logic [63:0] last,
                                                      input logic [FW-1:0] c, input logic ingress,
                                                      input logic [1:0] cause);
    logic        ported;
    logic [15:0] lp, rp;
    ported = e[96 +: 8] == 8'd6 || e[96 +: 8] == 8'd17;
    lp     = ported ? e[16 +: 16] : 16'h0;
    rp     = ported ? e[0 +: 16] : 16'h0;
    if (ingress)
      entry_record = flow_record(e[104 +: 8], e[32 +: 32], e[64 +: 32], rp, lp, e[96 +: 8], c[72 +: 32], c[104 +: 40],
                                 c[144 +: 64], last, 1'b0, cause);
    else
      entry_record = flow_record(e[104 +: 8], e[64 +: 32], e[32 +: 32], lp, rp, e[96 +: 8], c[0 +: 32], c[32 +: 40],
                                 c[144 +: 64], last, 1'b0, cause);
  endfunction

  localparam logic [1:0] CAUSE_EXPIRED = 2'd1, CAUSE_INTERVAL = 2'd2, CAUSE_REJECTED = 2'd3;

  // Counts the ops write: op0's packet on its entry (refreshed: the way's counts; new: none);
  // op1's on the entry it refreshes (op0's own when both keys are one) or on a new one.
  logic [FW-1:0] base0, base1, cnt0, cnt1;
  always_comb begin
    base0 = '0;
    for (int w = 0; w < WAYS; w++) begin
      if (we0[w] && live[w] && cmp0[w]) base0 = cnt[w];
    end
  end
  always_comb begin
    base1 = '0;
    for (int w = 0; w < WAYS; w++) begin
      if (we1[w] && ref1) base1 = we0[w] ? cnt0 : cnt[w];
    end
  end
  assign cnt0 = counted(base0, b_op0[33]);
  assign cnt1 = counted(base1, b_op1[33]);

  // Record candidates of B's op. Sweep: way w's egress [2w] and ingress [2w+1] counts, of an
  // entry that is not live (expired) or live and due (interval). Record op: the expired
  // entries op0 and op1 overwrite (egress, ingress each) and the packet's reject.
  logic              decided;
  logic [NC-1:0]     cand_v, pend, sel;
  logic [WAYS-1:0]   ivl_clr;
  logic              rej_v, rej_on;
  logic [7:0]        rej_slot;
  logic              ported;
  logic [EW-1:0]     vict0, vict1;
  logic [FW-1:0]     vcnt0, vcnt1;
  logic              vict0_v, vict1_v;

  assign decided = !rule_stall;
  assign ported  = b_proto == 8'd6 || b_proto == 8'd17;

  always_comb begin
    vict0   = '0;
    vict1   = '0;
    vcnt0   = '0;
    vcnt1   = '0;
    vict0_v = 1'b0;
    vict1_v = 1'b0;
    for (int w = 0; w < WAYS; w++) begin
      // a new entry (no live match) in a used way: that way's entry expired, unswept
      if (we0[w] && !(live[w] && cmp0[w]) && used[w] && on[w]) begin
        vict0   = cur[w];
        vcnt0   = cnt[w];
        vict0_v = 1'b1;
      end
      if (we1[w] && !ref1 && used[w] && on[w]) begin
        vict1   = cur[w];
        vcnt1   = cnt[w];
        vict1_v = 1'b1;
      end
    end
  end

  always_comb begin
    rej_v    = 1'b0;
    rej_slot = b_op0[nitro_regs_pkg::CT_OP_SLOT_LSB +: nitro_regs_pkg::CT_OP_SLOT_WIDTH];
    if (b_op0_v) begin
      if (fail0) begin
        rej_v = 1'b1;
      end else if (b_mid_deny || fail1) begin
        rej_v    = 1'b1;
        rej_slot = b_op1[nitro_regs_pkg::CT_OP_SLOT_LSB +: nitro_regs_pkg::CT_OP_SLOT_WIDTH];
      end
    end else if (b_nacl) begin
      rej_v    = 1'b1;
      rej_slot = b_nacl_slot;
    end
  end
  assign rej_on = ivl_us_mem[rej_slot[SLOT_W-1:0]] != '0;

  always_comb begin
    cand_v  = '0;
    ivl_clr = '0;
    for (int w = 0; w < WAYS; w++) begin
      if (b_v_q && b_sweep_q && used[w] && on[w] && (!live[w] || due[w])) begin
        cand_v[2*w]   = has_eg[w];
        cand_v[2*w+1] = has_in[w];
        ivl_clr[w]    = live[w] && (has_eg[w] || has_in[w]);
      end
    end
    if (b_rec && decided) begin
      cand_v[2*WAYS]     = vict0_v && vcnt0[0 +: 32] != '0;
      cand_v[2*WAYS + 1] = vict0_v && vcnt0[72 +: 32] != '0;
      cand_v[2*WAYS + 2] = vict1_v && vcnt1[0 +: 32] != '0;
      cand_v[2*WAYS + 3] = vict1_v && vcnt1[72 +: 32] != '0;
      cand_v[2*WAYS + 4] = rej_v && rej_on;
    end
  end

  // The record of the candidate written this cycle (sel: one-hot, or none), built only for that one: the
  // Verilated model evaluates a record (315 bits) a cycle at most instead of thirteen, none on an idle sweep.
  logic [FREC_W-1:0] rec_sel;
  always_comb begin
    rec_sel = '0;
    for (int w = 0; w < WAYS; w++) begin
      if (sel[2*w])   rec_sel = entry_record(cur[w][KEY_W-1:0], cur[w][KEY_W + 7 +: 64], cnt[w], 1'b0, live[w] ? CAUSE_INTERVAL : CAUSE_EXPIRED);
      if (sel[2*w+1]) rec_sel = entry_record(cur[w][KEY_W-1:0], cur[w][KEY_W + 7 +: 64], cnt[w], 1'b1, live[w] ? CAUSE_INTERVAL : CAUSE_EXPIRED);
    end
    if (sel[2*WAYS])     rec_sel = entry_record(vict0[KEY_W-1:0], vict0[KEY_W + 7 +: 64], vcnt0, 1'b0, CAUSE_EXPIRED);
    if (sel[2*WAYS + 1]) rec_sel = entry_record(vict0[KEY_W-1:0], vict0[KEY_W + 7 +: 64], vcnt0, 1'b1, CAUSE_EXPIRED);
    if (sel[2*WAYS + 2]) rec_sel = entry_record(vict1[KEY_W-1:0], vict1[KEY_W + 7 +: 64], vcnt1, 1'b0, CAUSE_EXPIRED);
    if (sel[2*WAYS + 3]) rec_sel = entry_record(vict1[KEY_W-1:0], vict1[KEY_W + 7 +: 64], vcnt1, 1'b1, CAUSE_EXPIRED);
    if (sel[2*WAYS + 4]) rec_sel = flow_record(rej_slot, b_pkt[nitro_regs_pkg::CT_PKT_SRC_LSB +: nitro_regs_pkg::CT_PKT_SRC_WIDTH], b_pkt[nitro_regs_pkg::CT_PKT_DST_LSB +: nitro_regs_pkg::CT_PKT_DST_WIDTH],
                                               ported ? b_pkt[nitro_regs_pkg::CT_PKT_SPORT_LSB +: nitro_regs_pkg::CT_PKT_SPORT_WIDTH] : 16'h0,
                                               ported ? b_pkt[nitro_regs_pkg::CT_PKT_DPORT_LSB +: nitro_regs_pkg::CT_PKT_DPORT_WIDTH] : 16'h0,
                                               b_proto, 32'd1, 40'(b_len), now, now, 1'b1, CAUSE_REJECTED);
  end

  // One record a cycle, lowest candidate first; B holds while more than one is left.
  logic [NC-1:0]     em_q;     // candidates of B's op already written
  logic              rec_wr, rec_full;
  logic [31:0]       ovf_q;
  logic [FLOW_LOG2:0] flow_space;
  logic              flow_empty;
  assign pend      = cand_v & ~em_q;
  assign sel       = pend & (~pend + 1'b1);
  assign emit_more = (pend & (pend - 1'b1)) != '0;
  assign rec_wr    = pend != '0;

  always_ff @(posedge clk) begin
    if (rst || adv) em_q <= '0;
    else            em_q <= em_q | sel;
  end

  nitro_fifo #(.WIDTH(FREC_W), .DEPTH_LOG2(FLOW_LOG2)) u_flow_fifo (
    .clk      (clk),
    .rst      (rst),
    .wr_data  (rec_sel),
    .wr_en    (rec_wr),
    .full     (rec_full),
    .space    (flow_space),
    .rd_data  (flow_data),
    .rd_valid (flow_valid),
    .rd_ready (flow_ready),
    .empty    (flow_empty)
  );

  // A record that meets a full FIFO is lost and counted (saturating); so is an untracked packet
  // that found no way for its count-only entry (once, when its record leaves B).
  logic [1:0]  lost;
  logic [32:0] ovf_sum;
  assign lost    = 2'(rec_wr && rec_full) + 2'(adv && unc0) + 2'(adv && unc1);
  assign ovf_sum = {1'b0, ovf_q} + 33'(lost);
  always_ff @(posedge clk) begin
    if (rst) ovf_q <= '0;
    else     ovf_q <= ovf_sum[32] ? '1 : ovf_sum[31:0];
  end
  assign flow_overflows = ovf_q;

  always_comb begin
    for (int w = 0; w < WAYS; w++) begin
      if (we1[w])         wr_cnt[w] = cnt1;
      else if (we0[w])    wr_cnt[w] = cnt0;
      else if (ivl_clr[w]) wr_cnt[w] = '0;
      else                wr_cnt[w] = cnt[w];  // unwritten: only forwarded
    end
  end

  // ---------------------------------------------------------------- record verdicts
  always_comb begin
    out_v      = b_rec && adv;
    out_drop   = 1'b0;
    out_reason = 4'(nitro_regs_pkg::DROP_SG_DENY);
    if (b_op0_v) begin
      if (fail0) begin
        out_drop = 1'b1;
        if (full0) out_reason = 4'(nitro_regs_pkg::DROP_CONNTRACK_FULL);
      end else if (b_mid_deny) begin
        out_drop   = 1'b1;
        out_reason = 4'(nitro_regs_pkg::DROP_NACL_DENY);
      end else if (fail1) begin
        out_drop = 1'b1;
        if (full1) out_reason = 4'(nitro_regs_pkg::DROP_CONNTRACK_FULL);
      end
    end
  end
  assign out_rx  = b_rx_q;
  assign out_pay = b_rec_q[nitro_regs_pkg::CT_REC_PAY_LSB +: nitro_regs_pkg::CT_REC_PAY_WIDTH];

  assign sg_v        = {act1 && adv, act0 && adv};
  assign sg_slot     = {b_op1[nitro_regs_pkg::CT_OP_SLOT_LSB +: nitro_regs_pkg::CT_OP_SLOT_WIDTH], b_op0[nitro_regs_pkg::CT_OP_SLOT_LSB +: nitro_regs_pkg::CT_OP_SLOT_WIDTH]};
  assign sg_ingress  = {b_op1[nitro_regs_pkg::CT_OP_INGRESS_LSB], b_op0[nitro_regs_pkg::CT_OP_INGRESS_LSB]};
  assign sg_allowed  = {!fail1, !fail0};
  assign sg_exceeded = {full1, full0};
  assign ct_free     = free_q;

  // ---------------------------------------------------------------- issue
  logic take_tx, take_rx, do_sweep;
  assign take_tx  = adv && tx_valid && (!rx_valid || rr_q);
  assign take_rx  = adv && rx_valid && !take_tx;
  assign do_sweep = adv && !tx_valid && !rx_valid && !freeze;
  assign tx_ready = take_tx;
  assign rx_ready = take_rx;

  assign tx_inflight = 2'(a_v_q && !a_sweep_q && !a_rx_q) + 2'(b_rec && !b_rx_q);
  assign rx_inflight = 2'(a_v_q && !a_sweep_q && a_rx_q) + 2'(b_rec && b_rx_q);
  assign busy        = a_v_q || b_v_q || scan_pend_q;
  assign rec_busy    = (a_v_q && !a_sweep_q) || b_rec || scan_pend_q;

  always_ff @(posedge clk) begin
    if (rst) begin
      a_v_q       <= 1'b0;
      b_v_q       <= 1'b0;
      rr_q        <= 1'b0;
      sweep_ptr_q <= '0;
      free_q      <= 32'(WAYS) << BL;
      scan_pend_q <= 1'b0;
      scan_op1_q  <= 1'b0;
      r0_q        <= 1'b0;
      r1_q        <= 1'b0;
      fwd_v_q     <= 1'b0;
    end else begin
      // A hold for flow records keeps the rule answers of its first decided cycle.
      if (stall && !rule_stall) begin
        if (act0 && !r0_q) begin
          r0_q       <= 1'b1;
          r0_allow_q <= rm0;
        end
        if (act1 && !r1_q) begin
          r1_q       <= 1'b1;
          r1_allow_q <= rm1;
        end
      end
      if (scan_start) begin
        scan_pend_q <= 1'b1;
        scan_op1_q  <= start1;
        if (start1) begin
          r0_q       <= 1'b1;
          r0_allow_q <= rm0;
        end
      end
      if (adv) begin
        scan_pend_q <= 1'b0;
        r0_q        <= 1'b0;
        r1_q        <= 1'b0;
        // B <- A
        b_v_q     <= a_v_q;
        b_sweep_q <= a_sweep_q;
        b_rx_q    <= a_rx_q;
        b_rec_q   <= a_rec_q;
        b_bkt_q   <= a_bkt;
        b_key0_q  <= a_key0;
        b_key1_q  <= a_key1;
        // A <- issue
        a_v_q     <= take_tx || take_rx || do_sweep;
        a_sweep_q <= do_sweep;
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
        if ((we | fwe) != '0) begin
          fwd_v_q   <= 1'b1;
          fwd_bkt_q <= b_bkt_q;
        end
        free_q <= free_q + 32'(freed) - 32'(dec0) - 32'(dec1);
      end
    end
  end

  for (genvar w = 0; w < WAYS; w++) begin : g_fwd
    always_ff @(posedge clk) begin
      if ((we | fwe) != '0) begin
        fwd_ent_q[w] <= wr_ent[w];
        fwd_cnt_q[w] <= wr_cnt[w];
      end
    end
  end

  logic unused_bits;
  assign unused_bits = ^{hit1, a_op0[nitro_regs_pkg::CT_OP_SLOT_LSB-1:0], a_op1[nitro_regs_pkg::CT_OP_INGRESS_LSB-1:0], b_pkt[nitro_regs_pkg::CT_PKT_SPORT_LSB +: nitro_regs_pkg::CT_PKT_SPORT_WIDTH],
                         b_pkt[nitro_regs_pkg::CT_PKT_DPORT_LSB +: nitro_regs_pkg::CT_PKT_DPORT_WIDTH], b_pkt[nitro_regs_pkg::CT_PKT_ICMP_ID_LSB +: nitro_regs_pkg::CT_PKT_ICMP_ID_WIDTH], a_pkt[nitro_regs_pkg::CT_PKT_ICMP_ID_LSB-1:0],
                         a_crc[31:BL], a_base, a_key0[111:104], tmo_wr_slot, tmo_rd_slot, ivl_wr_slot, flow_space, flow_empty,
                         vict0[KEY_W +: 7], vict1[KEY_W +: 7], vict0[EW-1], vict1[EW-1], ref0,
                         a_rec_q[REC_W-1:nitro_regs_pkg::CT_REC_FLOW_LSB], a_rec_q[nitro_regs_pkg::CT_REC_OP0_LSB-1:0]};

endmodule

`undef CT_KEY
