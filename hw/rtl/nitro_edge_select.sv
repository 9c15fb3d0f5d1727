// nitro_edge_select: the card's edge set (EDGE_SET0..7, docs/card-edges.md) and the choice of the
// edge a TX packet routed to the edge goes to. The driver writes the underlay IPv4 of a healthy
// edge into each of the 8 slots; a flow takes the slot of its outer UDP source port mod 8 (the
// flow hash the encapsulation already writes), so one flow keeps one edge while the set is
// unchanged. A slot holding 0 falls back to the route's own EDGE_IP: after reset every slot is 0
// and the card behaves as a single-edge card. Purely combinational on the packet side (one 8-to-1
// mux and a zero test in the TX combine stage): no cycle is added, and nothing moves while no
// packet is in that stage.
module nitro_edge_select (
  input  logic        clk,
  input  logic        rst,          // synchronous, active high: every slot back to 0

  // CSR bus (EDGE_SET0..7)
  input  logic        csr_valid,
  input  logic        csr_write,
  input  logic [15:0] csr_addr,
  input  logic [31:0] csr_wdata,
  output logic [31:0] csr_rd,       // read data for this block's addresses, else 0

  // Packet side
  input  logic [2:0]  slot,         // the flow's slot: outer UDP source port mod 8
  input  logic [31:0] route_ip,     // the route entry's EDGE_IP
  output logic [31:0] next_hop      // outer destination IPv4
);

  localparam int SLOTS = nitro_regs_pkg::EDGE_SET_COUNT;

  if (SLOTS != 8 || nitro_regs_pkg::EDGE_SET_STRIDE != 4 || nitro_regs_pkg::ADDR_EDGE_SET[4:0] != 5'h0) begin : g_chk
    $error("nitro_edge_select: EDGE_SET must be 8 words at a 32-byte aligned offset (3 slot bits)");
  end

  (* mem2reg *) logic [31:0] set_q [SLOTS];

  logic hit;   // the address is one of EDGE_SET0..7
  assign hit = csr_addr[15:5] == nitro_regs_pkg::ADDR_EDGE_SET[15:5] && csr_addr[1:0] == 2'b00;

  always_ff @(posedge clk) begin
    if (rst) begin
      for (int i = 0; i < SLOTS; i++) set_q[i] <= nitro_regs_pkg::EDGE_SET_RESET;
    end else if (csr_valid && csr_write && hit) begin
      set_q[csr_addr[4:2]] <= csr_wdata;
    end
  end

  assign csr_rd   = hit ? set_q[csr_addr[4:2]] : 32'h0;
  assign next_hop = (set_q[slot] != 32'h0) ? set_q[slot] : route_ip;

endmodule
