// nitro_arbiter: two AXI4-Stream sources onto one output, round-robin at frame boundaries
// (a grant is held from a frame's first beat to its last). Combinational (no added latency).
module nitro_arbiter #(
  parameter int DATA_WIDTH = 512,             // bits per beat
  parameter int KEEP_WIDTH = DATA_WIDTH / 8,  // tkeep bits
  parameter int USER_WIDTH = 8                // tuser bits
) (
  input  logic                  clk,
  input  logic                  rst,          // synchronous, active high
  // Source 0
  input  logic [DATA_WIDTH-1:0] s0_tdata,
  input  logic [KEEP_WIDTH-1:0] s0_tkeep,
  input  logic                  s0_tvalid,
  output logic                  s0_tready,
  input  logic                  s0_tlast,
  input  logic [USER_WIDTH-1:0] s0_tuser,
  // Source 1
  input  logic [DATA_WIDTH-1:0] s1_tdata,
  input  logic [KEEP_WIDTH-1:0] s1_tkeep,
  input  logic                  s1_tvalid,
  output logic                  s1_tready,
  input  logic                  s1_tlast,
  input  logic [USER_WIDTH-1:0] s1_tuser,
  // Output
  output logic [DATA_WIDTH-1:0] m_tdata,
  output logic [KEEP_WIDTH-1:0] m_tkeep,
  output logic                  m_tvalid,
  input  logic                  m_tready,
  output logic                  m_tlast,
  output logic [USER_WIDTH-1:0] m_tuser,
  // Status
  output logic                  busy          // inside a frame
);

  if (KEEP_WIDTH * 8 != DATA_WIDTH) begin : g_chk_keep
    $error("nitro_arbiter: KEEP_WIDTH must be DATA_WIDTH / 8");
  end

  logic locked_q, sel_q, last_q;   // last_q: source granted most recently
  logic sel;

  always_comb begin
    if (locked_q)                    sel = sel_q;
    else if (s0_tvalid && s1_tvalid) sel = !last_q;
    else                             sel = s1_tvalid;
  end

  assign m_tdata   = sel ? s1_tdata  : s0_tdata;
  assign m_tkeep   = sel ? s1_tkeep  : s0_tkeep;
  assign m_tvalid  = sel ? s1_tvalid : s0_tvalid;
  assign m_tlast   = sel ? s1_tlast  : s0_tlast;
  assign m_tuser   = sel ? s1_tuser  : s0_tuser;
  assign s0_tready = m_tready && !sel;
  assign s1_tready = m_tready && sel;
  assign busy      = locked_q;

  always_ff @(posedge clk) begin
    if (rst) begin
      locked_q <= 1'b0;
      sel_q    <= 1'b0;
      last_q   <= 1'b1;
    end else if (m_tvalid && m_tready) begin
      sel_q    <= sel;
      last_q   <= sel;
      locked_q <= !m_tlast;
    end
  end

endmodule
