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

  // Position p is at level d when the lowest set bit of p + 1 is bit LEVELS-1-d; its offset is
  // the bits of p + 1 above that one. Each level tests its own bit, so a cycle without a write
  // decodes nothing.
  logic [LEVELS:0] wr_q, rd_q1;
  assign wr_q  = {1'b0, wr_pos} + 1'b1;
  assign rd_q1 = {1'b0, rd_pos} + 1'b1;

  // Active bank
  logic bank_q;
  always_ff @(posedge clk) begin
    if (rst)          bank_q <= 1'b0;
    else if (bank_we) bank_q <= bank_wdata;
  end
  assign bank = bank_q;

  // Pipeline: stage k holds the item whose level-k node is on rdata[k] this cycle. A stage's
  // registers load only when an item enters it (and are read only while its v_q bit is set);
  // each stage's are registers of their own (split_var): no delayed copy of whole arrays.
  logic [LEVELS:0] v_q;
  (* mem2reg *) logic [39:0]       key_q    [LEVELS+1] /*verilator split_var*/;
  (* mem2reg *) logic              sbank_q  [LEVELS+1] /*verilator split_var*/;
  (* mem2reg *) logic [LEVELS-1:0] off_q    [LEVELS+1] /*verilator split_var*/;   // offset at level k (k bits used)
  (* mem2reg *) logic              found_q  [LEVELS+1] /*verilator split_var*/;
  (* mem2reg *) logic [41:0]       best_q   [LEVELS+1] /*verilator split_var*/;   // {edge_ip, table, kind}
  (* mem2reg *) logic [W-1:0]      rdata    [LEVELS];
  (* mem2reg *) logic [LEVELS-1:0] next_off [LEVELS];
  (* mem2reg *) logic              le       [LEVELS];

  always_ff @(posedge clk) begin
    if (rst) v_q <= '0;
    else     v_q <= {v_q[LEVELS-1:0], in_valid};
  end

  always_ff @(posedge clk) begin
    if (in_valid) begin
      key_q[0]   <= {in_table, in_ip};
      sbank_q[0] <= bank_q;
      off_q[0]   <= '0;
      found_q[0] <= 1'b0;
      best_q[0]  <= '0;
    end
  end

  for (genvar k = 0; k < LEVELS; k++) begin : g_level
    localparam int B = LEVELS - 1 - k;   // the bit of p + 1 that marks level k
    logic [W-1:0] mem [2 * 2**k];
    logic [W-1:0] rd_node;   // the registered read (its own register, not an element of an array)
    logic [k:0]   waddr, rd_addr, pkt_raddr;
    logic         wr_here, pkt_ren;
    logic [W-1:0] node;
    logic         unused_node;
    assign unused_node = ^{node[74:43], node[2:1]};

    // Read address: the offset this level's node has for the item entering stage k.
    if (k == 0) begin : g_a0
      assign waddr     = wr_bank;
      assign rd_addr   = rd_bank;
      assign pkt_raddr = bank_q;
      assign pkt_ren   = in_valid;
    end else begin : g_an
      assign waddr     = {wr_bank, wr_q[LEVELS-1:B+1]};
      assign rd_addr   = {rd_bank, rd_q1[LEVELS-1:B+1]};
      assign pkt_raddr = {sbank_q[k-1], next_off[k-1][k-1:0]};
      assign pkt_ren   = v_q[k-1];
    end
    if (B > 0) begin : g_low
      assign wr_here = wr_q[B] && wr_q[B-1:0] == '0;
    end else begin : g_bit0
      assign wr_here = wr_q[B];
    end

    // One read port (an address mux, not two reads: Yosys would build two ports)
    logic       ren;
    logic [k:0] raddr;
    assign ren   = rd_mode || pkt_ren;
    assign raddr = rd_mode ? rd_addr : pkt_raddr;
    // Read, then write, in one process (read-first); the write is blocking because nothing else reads mem
    // (a non-blocking one costs the Verilated model a delayed copy, index and flag every cycle).
    always_ff @(posedge clk) begin
      if (ren) rd_node <= mem[raddr];
      if (wr_en) begin
        /* verilator lint_off BLKSEQ */
        if (wr_pos != '1 && wr_here) mem[waddr] = wr_data;   // position 2**LEVELS-1 does not exist
        /* verilator lint_on BLKSEQ */
      end
    end
    assign rdata[k] = rd_node;

    // Compare at stage k: {table, start} <= key, invalid sorts last
    assign node = rdata[k];
    assign le[k] = node[0] && {node[10:3], node[42:11]} <= key_q[k];
    if (k == 0) begin : g_o0
      assign next_off[k] = LEVELS'(le[k]);
    end else begin : g_on
      assign next_off[k] = LEVELS'({off_q[k][k-1:0], le[k]});
    end

    // Hand the item to stage k + 1
    always_ff @(posedge clk) begin
      if (v_q[k]) begin
        key_q[k+1]   <= key_q[k];
        sbank_q[k+1] <= sbank_q[k];
        off_q[k+1]   <= next_off[k];
        found_q[k+1] <= found_q[k] || le[k];
        best_q[k+1]  <= le[k] ? {node[74:43], node[10:3], node[2:1]} : best_q[k];
      end
    end
  end

  // Result: the best interval must belong to the searched table
  assign out_valid   = v_q[LEVELS];
  assign out_kind    = (found_q[LEVELS] && best_q[LEVELS][9:2] == key_q[LEVELS][39:32]) ? best_q[LEVELS][1:0] : 2'd0;
  assign out_edge_ip = best_q[LEVELS][41:10];

  // Read-back: the level of the position (its lowest set bit of p + 1), one cycle after the address
  logic [4:0] rd_lvl_q;
  always_ff @(posedge clk) begin
    if (rd_mode) begin
      rd_lvl_q <= 5'(LEVELS - 1);
      for (int i = 0; i < LEVELS; i++) begin
        if (rd_q1[LEVELS - 1 - i]) rd_lvl_q <= 5'(i);
      end
    end
  end
  assign rd_data = rdata[rd_lvl_q[$clog2(LEVELS)-1:0]];

  logic unused_bits;
  assign unused_bits = ^{off_q[LEVELS], sbank_q[LEVELS], wr_q[LEVELS], rd_q1[LEVELS], rd_lvl_q[4:$clog2(LEVELS)]};

endmodule
