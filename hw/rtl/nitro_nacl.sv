// nitro_nacl: network ACL evaluation (docs/card-filtering.md, "Network ACLs"), one packet per
// cycle. Rules of (acl, direction) sit at table index (acl * 2 + direction) * RULES + k,
// k = 0 .. RULES-1 in rule-number order; the first matching rule decides (ALLOW), no match ->
// deny. A systolic chain of STAGES = ceil(RULES / RULES_PER_STAGE) stages: stage j owns rules
// j*RULES_PER_STAGE .. +RULES_PER_STAGE-1, each in its own memory of 2 * NUM_NACL entries
// (address acl * 2 + direction, registered read), compares them with the packet carried
// along the chain and records the first match. Fixed latency LATENCY = STAGES + 1
// (in_valid -> out_valid), no stalls. `in_skip` (same subnet, or the caller has no ACL to
// apply) passes the packet as allowed.
// Rule match: nitro_rule_match (shared with the security group scan).
// Writes and read-backs (table engine, read-back only while the lookups are frozen) use the
// table index; rd_data is valid from the second cycle of rd_mode.
// Rule layout (RULE_W = 113): {p2_hi, p2_lo, p1_hi, p1_lo, cidr[31:0], cidr_len[5:0],
// protocol[7:0], any_protocol, allow, valid}.
module nitro_nacl #(
  parameter int NUM_NACL        = 16,  // ACLs (1..128)
  parameter int RULES           = 40,  // rules per ACL and direction (1..255)
  parameter int RULES_PER_STAGE = 4,   // rules compared per pipeline stage
  parameter int IDX_W           = 16   // table index width
) (
  input  logic             clk,
  input  logic             rst,         // synchronous, active high
  // Evaluation
  input  logic             in_valid,
  input  logic [7:0]       in_acl,
  input  logic             in_dir,      // 0 ingress, 1 egress
  input  logic             in_skip,     // pass without evaluating
  input  logic [31:0]      in_remote,   // ingress: IPv4 source, egress: IPv4 destination
  input  logic [7:0]       in_proto,
  input  logic [15:0]      in_p1,       // TCP/UDP destination port or ICMP type (0 when absent)
  input  logic [15:0]      in_p2,       // ICMP code (0 when absent)
  output logic             out_valid,
  output logic             out_allow,
  // Table writes / read-back by table index
  input  logic             wr_en,
  input  logic [IDX_W-1:0] wr_index,
  input  logic [112:0]     wr_data,
  input  logic             rd_mode,
  input  logic [IDX_W-1:0] rd_index,
  output logic [112:0]     rd_data
);

  localparam int RW     = 113;
  localparam int STAGES = (RULES + RULES_PER_STAGE - 1) / RULES_PER_STAGE;
  localparam int SEL_W  = $clog2(2 * NUM_NACL) > 0 ? $clog2(2 * NUM_NACL) : 1;
  localparam int K_W    = $clog2(RULES) > 0 ? $clog2(RULES) : 1;

  if (NUM_NACL < 1 || NUM_NACL > 128) begin : g_chk_nacl
    $error("nitro_nacl: NUM_NACL must be in 1..128");
  end
  if (RULES < 1 || RULES > 255 || RULES_PER_STAGE < 1) begin : g_chk_rules
    $error("nitro_nacl: RULES must be in 1..255, RULES_PER_STAGE at least 1");
  end
  if (IDX_W < $clog2(2 * NUM_NACL * RULES)) begin : g_chk_idx
    $error("nitro_nacl: IDX_W too narrow for the table");
  end

  // Table index -> (acl * 2 + direction, rule number)
  logic [SEL_W-1:0] wr_sel, rd_sel;
  logic [K_W-1:0]   wr_k, rd_k;
  assign wr_sel = SEL_W'(wr_index / IDX_W'(RULES));
  assign wr_k   = K_W'(wr_index % IDX_W'(RULES));
  assign rd_sel = SEL_W'(rd_index / IDX_W'(RULES));
  assign rd_k   = K_W'(rd_index % IDX_W'(RULES));

  // Pipeline: stage j registers hold the item whose stage-j rules are on rdata this cycle. A
  // stage's registers load only when a packet enters it (v_q[j-1]): between packets nothing moves,
  // and a stage's fields are read only while its v_q bit is set. Each stage's packet record is a
  // register of its own (split_var), so Verilator keeps no delayed copy of a whole array.
  localparam int PW = SEL_W + 32 + 8 + 16 + 16;   // {sel, remote, proto, p1, p2}
  logic [STAGES:0] v_q;
  (* mem2reg *) logic [PW-1:0] pkt_q   [STAGES+1] /*verilator split_var*/;
  (* mem2reg *) logic          done_q  [STAGES+1] /*verilator split_var*/;
  (* mem2reg *) logic          allow_q [STAGES+1] /*verilator split_var*/;
  (* mem2reg *) logic          hit       [STAGES];
  (* mem2reg *) logic          hit_allow [STAGES];
  (* mem2reg *) logic [RW-1:0] rdata   [STAGES * RULES_PER_STAGE];

  always_ff @(posedge clk) begin
    if (rst) v_q <= '0;
    else     v_q <= {v_q[STAGES-1:0], in_valid};
  end

  always_ff @(posedge clk) begin
    if (in_valid) begin
      pkt_q[0]   <= {SEL_W'({in_acl, in_dir}), in_remote, in_proto, in_p1, in_p2};
      done_q[0]  <= in_skip;
      allow_q[0] <= in_skip;
    end
  end

  for (genvar j = 0; j < STAGES; j++) begin : g_stage
    logic [31:0]      rem;
    logic [7:0]       proto;
    logic [15:0]      p1, p2;
    logic [RULES_PER_STAGE-1:0] m;
    logic [RULES_PER_STAGE-1:0] a;
    assign {rem, proto, p1, p2} = pkt_q[j][PW-SEL_W-1:0];

    // Read: only for a packet entering the stage undecided (or a read-back); the match of a stage
    // without a packet, or with one a rule before already decided (or that skips the ACL), is never
    // used. The read is enabled only then.
    logic pkt_ren;
    logic [SEL_W-1:0] pkt_raddr;
    if (j == 0) begin : g_first
      assign pkt_ren   = in_valid && !in_skip;
      assign pkt_raddr = SEL_W'({in_acl, in_dir});
    end else begin : g_next
      assign pkt_ren   = v_q[j-1] && !done_q[j-1];
      assign pkt_raddr = pkt_q[j-1][PW-1 -: SEL_W];
    end

    // One read port (an address mux, not two reads: Yosys would build two ports); the ternary
    // leaves the read-back division out of a packet's cycle in the Verilated model.
    logic ren;
    logic [SEL_W-1:0] raddr;
    assign ren   = rd_mode || pkt_ren;
    assign raddr = rd_mode ? rd_sel : pkt_raddr;

    for (genvar r = 0; r < RULES_PER_STAGE; r++) begin : g_rule
      localparam int K = j * RULES_PER_STAGE + r;
      if (K < RULES) begin : g_mem
        logic [RW-1:0] mem [2 * NUM_NACL];
        logic [RW-1:0] rd_q;   // the registered read (its own register, not an element of an array)
        // One process reads, then writes, the memory (read-first, like a block RAM port pair). The write is
        // blocking because nothing outside this process reads mem: a non-blocking one makes Verilator keep a
        // delayed value, index and flag per memory, cleared and tested every cycle (120 memories in the card).
        always_ff @(posedge clk) begin
          if (ren) rd_q <= mem[raddr];
          if (wr_en) begin
            /* verilator lint_off BLKSEQ */
            if (wr_k == K_W'(K)) mem[wr_sel] = wr_data;
            /* verilator lint_on BLKSEQ */
          end
        end
        assign rdata[K] = rd_q;
      end else begin : g_none
        assign rdata[K] = '0;
      end

      // Match of rule K against the item in stage j
      nitro_rule_match u_match (
        .en     (v_q[j] && !done_q[j]),
        .rule   (rdata[K]),
        .remote (rem),
        .proto  (proto),
        .p1     (p1),
        .p2     (p2),
        .match  (m[r])
      );
      assign a[r] = rdata[K][1];
    end

    // First match of the stage
    always_comb begin
      hit[j]       = 1'b0;
      hit_allow[j] = 1'b0;
      for (int r = RULES_PER_STAGE - 1; r >= 0; r--) begin
        if (m[r]) begin
          hit[j]       = 1'b1;
          hit_allow[j] = a[r];
        end
      end
    end

    // Hand the packet to stage j + 1 with what stage j decided
    always_ff @(posedge clk) begin
      if (v_q[j]) begin
        pkt_q[j+1]   <= pkt_q[j];
        done_q[j+1]  <= done_q[j] || hit[j];
        allow_q[j+1] <= done_q[j] ? allow_q[j] : (hit[j] && hit_allow[j]);
      end
    end
  end

  assign out_valid = v_q[STAGES];
  assign out_allow = allow_q[STAGES];

  // Read-back: the rule memory of the index's rule number, one cycle after the address
  logic [K_W-1:0] rd_k_q;
  always_ff @(posedge clk) begin
    if (rd_mode) rd_k_q <= rd_k;
  end
  // (rd_k_q < RULES: the index mod RULES)
  assign rd_data = rdata[rd_k_q];

  logic unused_bits;
  assign unused_bits = ^{pkt_q[STAGES], done_q[STAGES], in_acl[7:SEL_W-1 > 7 ? 7 : SEL_W-1]};

endmodule
