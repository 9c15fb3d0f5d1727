// nitro_punt: the card's exception path for the link-local services (docs/card-punt.md). Sits on
// the host input port in front of the fast path and looks at each frame's first beat: a frame
// from a slot with a valid punt entry to 169.254.169.254 TCP 80, 169.254.169.253 or the slot's
// resolver (VPC base + 2) UDP/TCP 53, or 169.254.169.123 UDP 123 (Ethernet II, IPv4 without
// options, not a fragment) goes to the punt queue the firmware drains (m_axis_punt, tuser =
// slot), never to the fast path; every other frame passes to the fast path in the same cycle
// (no register on that path, so its cycle counts do not change).
//
// Each slot has a token bucket on the card time base (PUNT_LIMIT): one token every
// 2^REFILL_LOG2 us, at most BURST; a punt-bound frame without a token is dropped
// (punt-rate-limit), as is one that does not fit the queue (punt-queue-full). Counters per slot
// (PUNT_ENI_COUNT): frames punted, frames rate-limited.
module nitro_punt #(
  parameter int DATA_WIDTH = 512,  // bits per beat (only 512 is supported)
  parameter int KEEP_WIDTH = DATA_WIDTH / 8,
  parameter int NUM_ENI    = 64,   // ENI slots (2..256)
  parameter int DEPTH_LOG2 = 6     // punt queue beats (log2)
) (
  input  logic                  clk,
  input  logic                  rst,               // synchronous, active high
  // CSR bus
  input  logic                  csr_valid,
  input  logic                  csr_write,
  input  logic [15:0]           csr_addr,
  input  logic [31:0]           csr_wdata,
  output logic [31:0]           csr_rd,            // read data for this block's addresses, else 0
  input  logic [63:0]           now,               // card time base (us)
  // Host port in (instance -> card); tuser = ENI slot
  input  logic [DATA_WIDTH-1:0] s_axis_tdata,
  input  logic [KEEP_WIDTH-1:0] s_axis_tkeep,
  input  logic                  s_axis_tvalid,
  output logic                  s_axis_tready,
  input  logic                  s_axis_tlast,
  input  logic [7:0]            s_axis_tuser,
  // Fast path (every frame that is not punt-bound)
  output logic [DATA_WIDTH-1:0] m_axis_fast_tdata,
  output logic [KEEP_WIDTH-1:0] m_axis_fast_tkeep,
  output logic                  m_axis_fast_tvalid,
  input  logic                  m_axis_fast_tready,
  output logic                  m_axis_fast_tlast,
  output logic [7:0]            m_axis_fast_tuser,
  // Punt queue (to the firmware); tuser = ENI slot
  output logic [DATA_WIDTH-1:0] m_axis_punt_tdata,
  output logic [KEEP_WIDTH-1:0] m_axis_punt_tkeep,
  output logic                  m_axis_punt_tvalid,
  input  logic                  m_axis_punt_tready,
  output logic                  m_axis_punt_tlast,
  output logic [7:0]            m_axis_punt_tuser,
  // Drops (to nitro_counters), one a cycle at most
  output logic                  drop,
  output logic [3:0]            drop_reason,
  output logic                  busy
);

  if (DATA_WIDTH != 512) begin : g_chk_width
    $error("nitro_punt: DATA_WIDTH must be 512");
  end
  if (KEEP_WIDTH != DATA_WIDTH / 8) begin : g_chk_keep
    $error("nitro_punt: KEEP_WIDTH must be DATA_WIDTH / 8");
  end
  if (NUM_ENI < 2 || NUM_ENI > 256) begin : g_chk_eni
    $error("nitro_punt: NUM_ENI must be in 2..256");
  end
  if (DEPTH_LOG2 < 5 || DEPTH_LOG2 > 12) begin : g_chk_depth
    $error("nitro_punt: DEPTH_LOG2 must be in 5..12");
  end

  localparam int SW = $clog2(NUM_ENI);
  localparam int QW = 1 + 8 + KEEP_WIDTH + DATA_WIDTH;   // {last, user, keep, data}

  // ---------------------------------------------------------------- registers
  logic [15:0]         burst_q;
  logic [4:0]          refill_log2_q;
  logic [31:0]         eni_addr_q;
  logic [NUM_ENI-1:0]  entry_valid_q;
  logic [31:0]         resolver_q [NUM_ENI];
  logic                wr, clear;

  assign wr    = csr_valid && csr_write;
  assign clear = wr && (csr_addr == nitro_regs_pkg::ADDR_COUNTER_CLEAR) && csr_wdata[0];

  always_ff @(posedge clk) begin
    if (rst) begin
      burst_q       <= nitro_regs_pkg::PUNT_LIMIT_RESET[nitro_regs_pkg::PUNT_LIMIT_BURST_LSB +: 16];
      refill_log2_q <= nitro_regs_pkg::PUNT_LIMIT_RESET[nitro_regs_pkg::PUNT_LIMIT_REFILL_LOG2_LSB +: 5];
      eni_addr_q    <= '0;
      entry_valid_q <= '0;
    end else if (wr) begin
      unique case (csr_addr)
        nitro_regs_pkg::ADDR_PUNT_LIMIT: begin
          burst_q       <= csr_wdata[nitro_regs_pkg::PUNT_LIMIT_BURST_LSB +: 16];
          refill_log2_q <= csr_wdata[nitro_regs_pkg::PUNT_LIMIT_REFILL_LOG2_LSB +: 5];
        end
        nitro_regs_pkg::ADDR_PUNT_ENI_ADDR: eni_addr_q <= csr_wdata;
        nitro_regs_pkg::ADDR_PUNT_ENI_SET: begin
          if ({1'b0, csr_wdata[7:0]} < 9'(NUM_ENI)) begin
            entry_valid_q[SW'(csr_wdata[7:0])] <= csr_wdata[nitro_regs_pkg::PUNT_ENI_SET_VALID_LSB];
          end
        end
        default: ;
      endcase
    end
  end

  always_ff @(posedge clk) begin
    if (wr && csr_addr == nitro_regs_pkg::ADDR_PUNT_ENI_SET && {1'b0, csr_wdata[7:0]} < 9'(NUM_ENI)) begin
      resolver_q[SW'(csr_wdata[7:0])] <= eni_addr_q;
    end
  end

  // ---------------------------------------------------------------- classification of a first beat
  logic        slot_ok, first, bound, to_punt;
  logic [SW-1:0] slot;
  logic [31:0] dst, resolver;
  logic [15:0] dport;
  logic [7:0]  proto;
  logic        ipv4_plain, meta, dns, ntp;

  assign slot_ok    = {1'b0, s_axis_tuser} < 9'(NUM_ENI);
  assign slot       = SW'(s_axis_tuser);
  assign resolver   = resolver_q[slot];
  assign dst        = {s_axis_tdata[8*30 +: 8], s_axis_tdata[8*31 +: 8], s_axis_tdata[8*32 +: 8], s_axis_tdata[8*33 +: 8]};
  assign dport      = {s_axis_tdata[8*36 +: 8], s_axis_tdata[8*37 +: 8]};
  assign proto      = s_axis_tdata[8*23 +: 8];
  // Ethernet II / IPv4 with a 20-byte header, not a fragment (MF clear, offset 0), ports present.
  assign ipv4_plain = s_axis_tkeep[37] && s_axis_tdata[8*12 +: 8] == 8'h08 && s_axis_tdata[8*13 +: 8] == 8'h00
                   && s_axis_tdata[8*14 +: 8] == 8'h45 && (s_axis_tdata[8*20 +: 8] & 8'h3F) == 8'h00
                   && s_axis_tdata[8*21 +: 8] == 8'h00;
  assign meta       = dst == 32'hA9FE_A9FE && proto == 8'd6 && dport == 16'd80;
  assign dns        = (dst == 32'hA9FE_A9FD || (resolver != 32'h0 && dst == resolver))
                   && (proto == 8'd6 || proto == 8'd17) && dport == 16'd53;
  assign ntp        = dst == 32'hA9FE_A97B && proto == 8'd17 && dport == 16'd123;
  assign bound      = slot_ok && entry_valid_q[slot] && ipv4_plain && (meta || dns || ntp);

  // ---------------------------------------------------------------- frame state
  logic          in_frame_q, punt_q, admit_q;
  logic [7:0]    user_q;

  assign first   = !in_frame_q;
  assign to_punt = first ? bound : punt_q;

  assign s_axis_tready      = to_punt || m_axis_fast_tready;
  assign m_axis_fast_tdata  = s_axis_tdata;
  assign m_axis_fast_tkeep  = s_axis_tkeep;
  assign m_axis_fast_tvalid = s_axis_tvalid && !to_punt;
  assign m_axis_fast_tlast  = s_axis_tlast;
  assign m_axis_fast_tuser  = s_axis_tuser;

  // ---------------------------------------------------------------- token buckets
  // A bucket is fresh (BURST tokens) after reset and after a PUNT_LIMIT write.
  logic [15:0]        tokens_q [NUM_ENI];
  logic [31:0]        stamp_q  [NUM_ENI];
  logic [NUM_ENI-1:0] fresh_q;
  logic [31:0]        now_t, elapsed;
  logic [16:0]        avail;
  logic               take, has_token;

  always_comb begin
    logic [16:0] sum;
    now_t   = 32'(now >> refill_log2_q);
    elapsed = now_t - stamp_q[slot];
    sum     = 17'(tokens_q[slot]) + ((elapsed > 32'h0000_FFFF) ? 17'h0FFFF : 17'(elapsed));
    avail   = fresh_q[slot] ? 17'(burst_q) : (sum > 17'(burst_q) ? 17'(burst_q) : sum);
  end

  assign take      = s_axis_tvalid && first && bound;   // the punt side is always ready
  assign has_token = avail != 17'd0;

  always_ff @(posedge clk) begin
    if (take) begin
      tokens_q[slot] <= has_token ? 16'(avail - 17'd1) : 16'd0;
      stamp_q[slot]  <= now_t;
    end
  end

  always_ff @(posedge clk) begin
    if (rst || (wr && csr_addr == nitro_regs_pkg::ADDR_PUNT_LIMIT)) begin
      fresh_q <= '1;
    end else if (take) begin
      fresh_q[slot] <= 1'b0;
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      in_frame_q <= 1'b0;
      punt_q     <= 1'b0;
      admit_q    <= 1'b0;
      user_q     <= '0;
    end else if (s_axis_tvalid && s_axis_tready) begin
      in_frame_q <= !s_axis_tlast;
      if (first) begin
        punt_q  <= bound;
        admit_q <= bound && has_token;
        user_q  <= s_axis_tuser;
      end
    end
  end

  // ---------------------------------------------------------------- punt queue
  logic          q_wr, q_full, q_dropped, q_committed, q_rd_valid, q_empty;
  logic [QW-1:0] q_rd_data;
  logic          admitted;
  logic [7:0]    frame_user;

  assign admitted   = first ? has_token : admit_q;
  assign frame_user = first ? s_axis_tuser : user_q;
  assign q_wr       = s_axis_tvalid && to_punt && admitted;

  nitro_frame_fifo #(.WIDTH(QW), .DEPTH_LOG2(DEPTH_LOG2)) u_queue (
    .clk       (clk),
    .rst       (rst),
    .wr_data   ({s_axis_tlast, frame_user, s_axis_tkeep, s_axis_tdata}),
    .wr_en     (q_wr),
    .wr_last   (s_axis_tlast),
    .full      (q_full),
    .dropped   (q_dropped),
    .committed (q_committed),
    .rd_data   (q_rd_data),
    .rd_valid  (q_rd_valid),
    .rd_ready  (m_axis_punt_tready),
    .empty     (q_empty)
  );

  assign {m_axis_punt_tlast, m_axis_punt_tuser, m_axis_punt_tkeep, m_axis_punt_tdata} = q_rd_data;
  assign m_axis_punt_tvalid = q_rd_valid;

  assign drop        = (take && !has_token) || q_dropped;
  assign drop_reason = q_dropped ? 4'(nitro_regs_pkg::DROP_PUNT_QUEUE_FULL) : 4'(nitro_regs_pkg::DROP_PUNT_RATE_LIMIT);
  assign busy        = in_frame_q || !q_empty;

  // ---------------------------------------------------------------- counters
  logic [31:0] punted_q [NUM_ENI];
  logic [31:0] limited_q [NUM_ENI];
  logic        fu_ok;
  logic [SW-1:0] fu_slot;

  assign fu_ok   = {1'b0, frame_user} < 9'(NUM_ENI);
  assign fu_slot = SW'(frame_user);

  always_ff @(posedge clk) begin
    if (rst || clear) begin
      for (int i = 0; i < NUM_ENI; i++) begin
        punted_q[i]  <= '0;
        limited_q[i] <= '0;
      end
    end else begin
      if (q_committed && fu_ok) punted_q[fu_slot] <= punted_q[fu_slot] + 32'd1;
      if (take && !has_token) limited_q[slot] <= limited_q[slot] + 32'd1;
    end
  end

  // ---------------------------------------------------------------- CSR reads
  logic [15:0] cnt_off;
  logic        in_cnt;
  logic [8:0]  cnt_idx;

  assign cnt_off = csr_addr - nitro_regs_pkg::ADDR_PUNT_ENI_COUNT;
  assign in_cnt  = (csr_addr >= nitro_regs_pkg::ADDR_PUNT_ENI_COUNT)
                && (csr_addr < nitro_regs_pkg::ADDR_PUNT_ENI_COUNT + 16'(nitro_regs_pkg::PUNT_ENI_COUNT_COUNT * 4));
  assign cnt_idx = cnt_off[10:2];

  always_comb begin
    csr_rd = '0;
    unique case (csr_addr)
      nitro_regs_pkg::ADDR_PUNT_LIMIT:    csr_rd = {11'd0, refill_log2_q, burst_q};
      nitro_regs_pkg::ADDR_PUNT_ENI_ADDR: csr_rd = eni_addr_q;
      nitro_regs_pkg::ADDR_PARAM_PUNT:    csr_rd = 32'(2 ** DEPTH_LOG2);
      default: ;
    endcase
    if (in_cnt && {1'b0, cnt_idx[8:1]} < 9'(NUM_ENI)) begin
      csr_rd = cnt_idx[0] ? limited_q[SW'(cnt_idx[8:1])] : punted_q[SW'(cnt_idx[8:1])];
    end
  end

  logic unused_punt;
  assign unused_punt = ^{q_full, cnt_off[15:11], cnt_off[1:0], csr_wdata[31:9]};

endmodule
