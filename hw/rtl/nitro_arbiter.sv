// nitro_arbiter: two AXI4-Stream sources onto one output, round-robin at frame boundaries
// (a grant is held from a frame's first beat to its last). Combinational (no added latency).
module nitro_arbiter #(
  parameter int DATA_WIDTH = 512,             // bits per beat
  parameter int KEEP_WIDTH = DATA_WIDTH / 8,  // tkeep bits
  parameter int USER_WIDTH = 8                // tuser bits
) (
  input  logic                  clk,
  input  logic                  rst,          // synchronous, active high
  // Source tx (source 0 of the round robin; the card: TX local delivery and ARP replies)
  input  logic [DATA_WIDTH-1:0] s_axis_tx_tdata,
  input  logic [KEEP_WIDTH-1:0] s_axis_tx_tkeep,
  input  logic                  s_axis_tx_tvalid,
  output logic                  s_axis_tx_tready,
  input  logic                  s_axis_tx_tlast,
  input  logic [USER_WIDTH-1:0] s_axis_tx_tuser,
  // Source rx (source 1; the card: RX delivery)
  input  logic [DATA_WIDTH-1:0] s_axis_rx_tdata,
  input  logic [KEEP_WIDTH-1:0] s_axis_rx_tkeep,
  input  logic                  s_axis_rx_tvalid,
  output logic                  s_axis_rx_tready,
  input  logic                  s_axis_rx_tlast,
  input  logic [USER_WIDTH-1:0] s_axis_rx_tuser,
  // Output
  output logic [DATA_WIDTH-1:0] m_axis_tdata,
  output logic [KEEP_WIDTH-1:0] m_axis_tkeep,
  output logic                  m_axis_tvalid,
  input  logic                  m_axis_tready,
  output logic                  m_axis_tlast,
  output logic [USER_WIDTH-1:0] m_axis_tuser,
  // Status
  output logic                  busy          // inside a frame
);

  if (KEEP_WIDTH * 8 != DATA_WIDTH) begin : g_chk_keep
    $error("nitro_arbiter: KEEP_WIDTH must be DATA_WIDTH / 8");
  end

  logic locked_q, sel_q, last_q;   // last_q: source granted most recently
  logic sel;

  always_comb begin
    if (locked_q)                                  sel = sel_q;
    else if (s_axis_tx_tvalid && s_axis_rx_tvalid) sel = !last_q;
    else                                           sel = s_axis_rx_tvalid;
  end

  assign m_axis_tdata     = sel ? s_axis_rx_tdata  : s_axis_tx_tdata;
  assign m_axis_tkeep     = sel ? s_axis_rx_tkeep  : s_axis_tx_tkeep;
  assign m_axis_tvalid    = sel ? s_axis_rx_tvalid : s_axis_tx_tvalid;
  assign m_axis_tlast     = sel ? s_axis_rx_tlast  : s_axis_tx_tlast;
  assign m_axis_tuser     = sel ? s_axis_rx_tuser  : s_axis_tx_tuser;
  assign s_axis_tx_tready = m_axis_tready && !sel;
  assign s_axis_rx_tready = m_axis_tready && sel;
  assign busy             = locked_q;

  always_ff @(posedge clk) begin
    if (rst) begin
      locked_q <= 1'b0;
      sel_q    <= 1'b0;
      last_q   <= 1'b1;
    end else if (m_axis_tvalid && m_axis_tready) begin
      sel_q    <= sel;
      last_q   <= sel;
      locked_q <= !m_axis_tlast;
    end
  end

endmodule
