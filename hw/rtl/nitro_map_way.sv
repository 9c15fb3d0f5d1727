// nitro_map_way: one way of the mapping hash table. A true-dual-port memory: port A reads
// (TX lookups, table reads) or writes (commits), port B only reads (RX lookups). Both reads
// are registered (data valid the cycle after the address), so it maps to block RAM.
// Entry layout (MAP_W = 146): {mac[47:0], underlay_ip[31:0], ip[31:0], vni[23:0], slot[7:0], local, valid}.
module nitro_map_way #(
  parameter int WIDTH      = 146,  // bits per entry
  parameter int DEPTH_LOG2 = 15    // buckets = 2**DEPTH_LOG2
) (
  input  logic                  clk,
  // Port A: read/write
  input  logic [DEPTH_LOG2-1:0] a_addr,
  input  logic                  a_we,
  input  logic [WIDTH-1:0]      a_wdata,
  output logic [WIDTH-1:0]      a_rdata,
  // Port B: read
  input  logic [DEPTH_LOG2-1:0] b_addr,
  output logic [WIDTH-1:0]      b_rdata
);

  if (DEPTH_LOG2 < 1 || DEPTH_LOG2 > 20) begin : g_chk_depth
    $error("nitro_map_way: DEPTH_LOG2 must be in 1..20");
  end

  logic [WIDTH-1:0] mem [2**DEPTH_LOG2];

  always_ff @(posedge clk) begin
    if (a_we) mem[a_addr] <= a_wdata;
    a_rdata <= mem[a_addr];
  end

  always_ff @(posedge clk) begin
    b_rdata <= mem[b_addr];
  end

endmodule
