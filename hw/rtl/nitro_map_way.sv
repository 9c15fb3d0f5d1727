// nitro_map_way: one way of the mapping hash table, organised in buckets of SLOTS entries.
// A true-dual-port memory of 2**(DEPTH_LOG2-SLOTS_LOG2) rows, one row = one bucket =
// SLOTS entries side by side (slot s in bits [s*WIDTH +: WIDTH]). Port A reads a whole bucket
// (TX lookups, table reads) or writes one slot of it (commits: one write enable per slot);
// port B only reads whole buckets (RX lookups). Both reads are registered (data valid the
// cycle after the address), so it maps to block RAM (slot write enables become column
// enables / separate BRAM columns).
// Entry layout (WIDTH = 146): {mac[47:0], underlay_ip[31:0], ip[31:0], vni[23:0], slot[7:0], local, valid}.
module nitro_map_way #(
  parameter int WIDTH      = 146,  // bits per entry
  parameter int DEPTH_LOG2 = 15,   // entries = 2**DEPTH_LOG2
  parameter int SLOTS_LOG2 = 2     // entries per bucket = 2**SLOTS_LOG2
) (
  input  logic                                 clk,
  // Port A: bucket read / slot write
  input  logic [DEPTH_LOG2-SLOTS_LOG2-1:0]      a_addr,
  input  logic [2**SLOTS_LOG2-1:0]              a_we,      // one per slot
  input  logic [WIDTH-1:0]                      a_wdata,
  output logic [(2**SLOTS_LOG2)*WIDTH-1:0]      a_rdata,
  // Port B: bucket read
  input  logic [DEPTH_LOG2-SLOTS_LOG2-1:0]      b_addr,
  output logic [(2**SLOTS_LOG2)*WIDTH-1:0]      b_rdata
);

  if (DEPTH_LOG2 < 1 || DEPTH_LOG2 > 20) begin : g_chk_depth
    $error("nitro_map_way: DEPTH_LOG2 must be in 1..20");
  end
  if (SLOTS_LOG2 < 0 || SLOTS_LOG2 > 3 || SLOTS_LOG2 >= DEPTH_LOG2) begin : g_chk_slots
    $error("nitro_map_way: SLOTS_LOG2 must be in 0..3 and below DEPTH_LOG2");
  end

  localparam int SLOTS     = 2 ** SLOTS_LOG2;
  localparam int ROWS_LOG2 = DEPTH_LOG2 - SLOTS_LOG2;

  logic [SLOTS*WIDTH-1:0] mem [2**ROWS_LOG2];

  always_ff @(posedge clk) begin
    for (int s = 0; s < SLOTS; s++) begin
      if (a_we[s]) mem[a_addr][s*WIDTH +: WIDTH] <= a_wdata;
    end
    a_rdata <= mem[a_addr];
  end

  always_ff @(posedge clk) begin
    b_rdata <= mem[b_addr];
  end

endmodule
