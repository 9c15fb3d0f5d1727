// nitro_route_lookup: route lookup over a sorted interval bank (docs/card-filtering.md, "Route
// tables"). A bank is a sorted array of 2**LEVELS - 1 intervals; the route of (t, ip) is the
// interval with the greatest key (TABLE, START) <= (t, ip) (invalid intervals sort after every
// key); none, another table or KIND 0 -> no route (kind 0).
//
// Layout: the driver writes sorted positions p (0 .. 2**LEVELS - 2). Internally position p is
// node (level d, offset o) of a complete binary search tree whose in-order walk is the sorted
// array (Eytzinger-style): p + 1 = (2o + 1) * 2**(LEVELS-1-d). Level d is its own memory of
// 2 * 2**d entries (both banks, address {bank, o}), so the search is a pipeline of LEVELS
// stages, one memory read each: at level d compare the node with the key; node <= key -> it is
// the best so far and the walk goes right (o' = 2o + 1), else left (o' = 2o).
// One search per cycle, fixed latency LATENCY = LEVELS + 1 (in_valid -> out_valid), no stalls.
//
// Writes (table commits) go to the level memory of the position; the active bank is a register
// written through the same commit queue (routeBank), sampled when a search enters. Reads
// (table read-back, only while the lookup pipelines are frozen) borrow every level's read port:
// hold rd_mode with rd_bank/rd_pos; rd_data is valid from the second cycle on.
// Entry layout (ENTRY_W = 75): {edge_ip[31:0], start[31:0], table[7:0], kind[1:0], valid}.
module nitro_route_lookup #(
  parameter int LEVELS = 12  // a bank holds 2**LEVELS - 1 intervals (2..16)
) (
  input  logic        clk,
  input  logic        rst,          // synchronous, active high (active bank -> 0)
  // Search
  input  logic        in_valid,
  input  logic [7:0]  in_table,
  input  logic [31:0] in_ip,
  output logic        out_valid,    // LEVELS + 1 cycles after in_valid
  output logic [1:0]  out_kind,     // 0 no route, 1 local, 2 edge, 3 blackhole
  output logic [31:0] out_edge_ip,
  // Interval writes (sorted position in a bank)
  input  logic        wr_en,
  input  logic        wr_bank,
  input  logic [LEVELS-1:0] wr_pos, // 0 .. 2**LEVELS - 2
  input  logic [74:0] wr_data,
  // Active bank
  input  logic        bank_we,
  input  logic        bank_wdata,
  output logic        bank,
  // Read-back
  input  logic        rd_mode,
  input  logic        rd_bank,
  input  logic [LEVELS-1:0] rd_pos,
  output logic [74:0] rd_data
);

  localparam int W = 75;

  if (LEVELS < 2 || LEVELS > 16) begin : g_chk_levels
    $error("nitro_route_lookup: LEVELS must be in 2..16");
  end

  // Position -> (level, offset in level)
  function automatic logic [4:0] pos_level(input logic [LEVELS-1:0] p);
    logic [LEVELS:0] q;
    logic [4:0] d;
    q = {1'b0, p} + 1'b1;
    d = 5'(LEVELS - 1);
    for (int i = 0; i < LEVELS; i++) begin
      if (q[LEVELS - 1 - i]) d = 5'(i);   // lowest set bit of p+1 at bit b -> level LEVELS-1-b
    end
    pos_level = d;
  endfunction
  function automatic logic [LEVELS-1:0] pos_offset(input logic [LEVELS-1:0] p, input logic [4:0] d);
    logic [LEVELS:0] q;
    q = {1'b0, p} + 1'b1;
    pos_offset = LEVELS'(q >> (5'(LEVELS) - d));
  endfunction

  logic [4:0]        wr_lvl, rd_lvl;
  logic [LEVELS-1:0] wr_off, rd_off;
  assign wr_lvl = pos_level(wr_pos);
  assign wr_off = pos_offset(wr_pos, wr_lvl);
  assign rd_lvl = pos_level(rd_pos);
  assign rd_off = pos_offset(rd_pos, rd_lvl);

  // Active bank
  logic bank_q;
  always_ff @(posedge clk) begin
    if (rst)          bank_q <= 1'b0;
    else if (bank_we) bank_q <= bank_wdata;
  end
  assign bank = bank_q;

  // Pipeline registers: stage k holds the item whose level-k node is on rdata[k] this cycle.
  (* mem2reg *) logic              v_q      [LEVELS+1];
  (* mem2reg *) logic [39:0]       key_q    [LEVELS+1];
  (* mem2reg *) logic              sbank_q  [LEVELS+1];
  (* mem2reg *) logic [LEVELS-1:0] off_q    [LEVELS+1];   // offset at level k (k bits used)
  (* mem2reg *) logic              found_q  [LEVELS+1];
  (* mem2reg *) logic [41:0]       best_q   [LEVELS+1];   // {edge_ip, table, kind}
  (* mem2reg *) logic [W-1:0]      rdata    [LEVELS];
  (* mem2reg *) logic [LEVELS-1:0] next_off [LEVELS];
  (* mem2reg *) logic              le       [LEVELS];

  for (genvar k = 0; k < LEVELS; k++) begin : g_level
    logic [W-1:0] mem [2 * 2**k];
    logic [k:0]   raddr, waddr;
    logic [W-1:0] node;
    logic         unused_node;
    assign unused_node = ^{node[74:43], node[2:1]};

    // Read address: the offset this level's node has for the item entering stage k.
    if (k == 0) begin : g_a0
      assign raddr = rd_mode ? rd_bank : bank_q;
      assign waddr = wr_bank;
    end else begin : g_an
      assign raddr = rd_mode ? {rd_bank, rd_off[k-1:0]} : {sbank_q[k-1], next_off[k-1][k-1:0]};
      assign waddr = {wr_bank, wr_off[k-1:0]};
    end

    always_ff @(posedge clk) begin
      if (wr_en && wr_pos != '1 && wr_lvl == 5'(k)) mem[waddr] <= wr_data;   // position 2**LEVELS-1 does not exist
      rdata[k] <= mem[raddr];
    end

    // Compare at stage k: {table, start} <= key, invalid sorts last
    assign node = rdata[k];
    assign le[k] = node[0] && {node[10:3], node[42:11]} <= key_q[k];
    if (k == 0) begin : g_o0
      assign next_off[k] = LEVELS'(le[k]);
    end else begin : g_on
      assign next_off[k] = LEVELS'({off_q[k][k-1:0], le[k]});
    end
  end

  always_ff @(posedge clk) begin
    for (int k = 0; k <= LEVELS; k++) begin
      if (rst) v_q[k] <= 1'b0;
    end
    if (!rst) begin
      v_q[0] <= in_valid;
      for (int k = 1; k <= LEVELS; k++) v_q[k] <= v_q[k-1];
    end
    key_q[0]   <= {in_table, in_ip};
    sbank_q[0] <= bank_q;
    off_q[0]   <= '0;
    found_q[0] <= 1'b0;
    best_q[0]  <= '0;
    for (int k = 1; k <= LEVELS; k++) begin
      key_q[k]   <= key_q[k-1];
      sbank_q[k] <= sbank_q[k-1];
      off_q[k]   <= next_off[k-1];
      found_q[k] <= found_q[k-1] || le[k-1];
      best_q[k]  <= le[k-1] ? {rdata[k-1][74:43], rdata[k-1][10:3], rdata[k-1][2:1]} : best_q[k-1];
    end
  end

  // Result: the best interval must belong to the searched table
  assign out_valid   = v_q[LEVELS];
  assign out_kind    = (found_q[LEVELS] && best_q[LEVELS][9:2] == key_q[LEVELS][39:32]) ? best_q[LEVELS][1:0] : 2'd0;
  assign out_edge_ip = best_q[LEVELS][41:10];

  // Read-back: the level of the position, one cycle after the address
  logic [4:0] rd_lvl_q;
  always_ff @(posedge clk) rd_lvl_q <= rd_lvl;
  always_comb begin
    rd_data = '0;
    for (int k = 0; k < LEVELS; k++) begin
      if (rd_lvl_q == 5'(k)) rd_data = rdata[k];
    end
  end

  logic unused_bits;
  assign unused_bits = ^{off_q[LEVELS], sbank_q[LEVELS], wr_off[LEVELS-1], rd_off[LEVELS-1]};

endmodule
