// nitro_inject: the firmware's answers on the punt path (docs/card-punt.md). Frames from the
// firmware (s_axis_inject, tuser = the ENI slot they answer) are stored whole in a frame FIFO and
// merged into the host output port between the fast path's frames, delivered to that slot only.
// The fast path passes through in the same cycle (no register on it): with nothing injected
// its cycle counts do not change. At a frame boundary with both sides waiting the turn
// alternates, so neither starves the other.
//
// The injection port is backpressured while the FIFO is full; a frame longer than the whole
// FIFO can never fit and is dropped (PUNT_INJECT_DROPS) instead of blocking the port.
module nitro_inject #(
  parameter int DATA_WIDTH = 512,
  parameter int KEEP_WIDTH = DATA_WIDTH / 8,
  parameter int DEPTH_LOG2 = 6      // injection queue beats (log2)
) (
  input  logic                  clk,
  input  logic                  rst,               // synchronous, active high
  // CSR bus (reads of PUNT_INJECT_DROPS)
  input  logic                  csr_valid,
  input  logic                  csr_write,
  input  logic [15:0]           csr_addr,
  output logic [31:0]           csr_rd,
  // From the firmware; tuser = ENI slot
  input  logic [DATA_WIDTH-1:0] s_axis_inject_tdata,
  input  logic [KEEP_WIDTH-1:0] s_axis_inject_tkeep,
  input  logic                  s_axis_inject_tvalid,
  output logic                  s_axis_inject_tready,
  input  logic                  s_axis_inject_tlast,
  input  logic [7:0]            s_axis_inject_tuser,
  // Fast path's host output (from nitro_arbiter)
  input  logic [DATA_WIDTH-1:0] s_axis_fast_tdata,
  input  logic [KEEP_WIDTH-1:0] s_axis_fast_tkeep,
  input  logic                  s_axis_fast_tvalid,
  output logic                  s_axis_fast_tready,
  input  logic                  s_axis_fast_tlast,
  input  logic [7:0]            s_axis_fast_tuser,
  // Host port out
  output logic [DATA_WIDTH-1:0] m_axis_tdata,
  output logic [KEEP_WIDTH-1:0] m_axis_tkeep,
  output logic                  m_axis_tvalid,
  input  logic                  m_axis_tready,
  output logic                  m_axis_tlast,
  output logic [7:0]            m_axis_tuser,
  output logic                  busy
);

  if (DATA_WIDTH != 512 || KEEP_WIDTH != DATA_WIDTH / 8) begin : g_chk_width
    $error("nitro_inject: DATA_WIDTH must be 512 and KEEP_WIDTH DATA_WIDTH / 8");
  end

  localparam int QW = 1 + 8 + KEEP_WIDTH + DATA_WIDTH;   // {last, user, keep, data}

  // ---------------------------------------------------------------- queue
  logic          q_wr, q_full, q_dropped, q_committed, q_valid, q_ready, q_empty;
  logic [QW-1:0] q_data;
  logic          q_last;
  logic [7:0]    q_user;
  logic [KEEP_WIDTH-1:0] q_keep;
  logic [DATA_WIDTH-1:0] q_tdata;
  logic [31:0]   drops_q;

  // Full with nothing committed: the frame being written fills the FIFO alone and can never fit,
  // so its beats are taken (and the frame dropped) rather than blocking the port for good.
  assign s_axis_inject_tready = !q_full || !q_valid;
  assign q_wr                 = s_axis_inject_tvalid && s_axis_inject_tready;

  nitro_frame_fifo #(.WIDTH(QW), .DEPTH_LOG2(DEPTH_LOG2)) u_queue (
    .clk       (clk),
    .rst       (rst),
    .wr_data   ({s_axis_inject_tlast, s_axis_inject_tuser, s_axis_inject_tkeep, s_axis_inject_tdata}),
    .wr_en     (q_wr),
    .wr_last   (s_axis_inject_tlast),
    .full      (q_full),
    .dropped   (q_dropped),
    .committed (q_committed),
    .rd_data   (q_data),
    .rd_valid  (q_valid),
    .rd_ready  (q_ready),
    .empty     (q_empty)
  );

  assign {q_last, q_user, q_keep, q_tdata} = q_data;

  always_ff @(posedge clk) begin
    if (rst) drops_q <= '0;
    else if (q_dropped) drops_q <= drops_q + 32'd1;
  end

  assign csr_rd = (csr_valid && !csr_write && csr_addr == nitro_regs_pkg::ADDR_PUNT_INJECT_DROPS) ? drops_q : 32'h0;

  // ---------------------------------------------------------------- merge
  logic fast_mid_q, inj_mid_q, inj_turn_q, sel_inj;

  // Between frames: the fast path unless an injected frame waits and it is its turn (or the fast
  // path has nothing); inside a frame, the side that started it.
  always_comb begin
    if (inj_mid_q)       sel_inj = 1'b1;
    else if (fast_mid_q) sel_inj = 1'b0;
    else                 sel_inj = q_valid && (!s_axis_fast_tvalid || inj_turn_q);
  end

  assign m_axis_tdata       = sel_inj ? q_tdata : s_axis_fast_tdata;
  assign m_axis_tkeep       = sel_inj ? q_keep  : s_axis_fast_tkeep;
  assign m_axis_tlast       = sel_inj ? q_last  : s_axis_fast_tlast;
  assign m_axis_tuser       = sel_inj ? q_user  : s_axis_fast_tuser;
  assign m_axis_tvalid      = sel_inj ? q_valid : s_axis_fast_tvalid;
  assign q_ready            = sel_inj && m_axis_tready;
  assign s_axis_fast_tready = !sel_inj && m_axis_tready;

  always_ff @(posedge clk) begin
    if (rst) begin
      fast_mid_q <= 1'b0;
      inj_mid_q  <= 1'b0;
      inj_turn_q <= 1'b0;
    end else if (m_axis_tvalid && m_axis_tready) begin
      if (sel_inj) inj_mid_q  <= !q_last;
      else         fast_mid_q <= !s_axis_fast_tlast;
      // A frame that starts with the other side waiting hands the next turn over.
      if (!inj_mid_q && !fast_mid_q) inj_turn_q <= !sel_inj;
    end
  end

  assign busy = !q_empty || inj_mid_q;

  logic unused_inject;
  assign unused_inject = q_committed;

endmodule
