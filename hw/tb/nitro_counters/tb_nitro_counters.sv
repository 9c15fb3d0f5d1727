// tb_nitro_counters: random drop, TX, delivery (two sources) and security group events (two a
// cycle, slots beyond NUM_ENI included, several on one counter in one cycle) against a model of
// 64-bit counters; CSR reads of every window (low word, then the latched high word) checked in
// the cycle they are made; COUNTER_CLEAR (events of the clear cycle are lost) and reset.
`timescale 1ns/1ps
module tb_nitro_counters;

  tb_verdict #(.TIMEOUT(2000000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  localparam int N  = 8;    // NUM_ENI
  localparam int NR = nitro_regs_pkg::DROP_REASON_COUNT;
  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic        csr_valid, csr_write;
  logic [15:0] csr_addr;
  logic [31:0] csr_wdata, csr_rd;
  logic        a_drop, b_drop, c_drop, tx_v, ra_v, rb_v;
  logic [3:0]  a_reason, b_reason, c_reason;
  logic [7:0]  tx_slot, ra_slot, rb_slot;
  logic [15:0] tx_len, ra_len, rb_len;
  logic [1:0]  sg_v, sg_ingress, sg_allowed, sg_exceeded;
  logic [15:0] sg_slot;

  nitro_counters #(.NUM_ENI(N)) dut (
    .clk(clk), .rst(rst), .csr_valid(csr_valid), .csr_write(csr_write), .csr_addr(csr_addr),
    .csr_wdata(csr_wdata), .csr_rd(csr_rd), .a_drop(a_drop), .a_reason(a_reason), .b_drop(b_drop),
    .b_reason(b_reason), .c_drop(c_drop), .c_reason(c_reason), .tx_v(tx_v), .tx_slot(tx_slot), .tx_len(tx_len), .ra_v(ra_v), .ra_slot(ra_slot),
    .ra_len(ra_len), .rb_v(rb_v), .rb_slot(rb_slot), .rb_len(rb_len), .sg_v(sg_v), .sg_slot(sg_slot),
    .sg_ingress(sg_ingress), .sg_allowed(sg_allowed), .sg_exceeded(sg_exceeded));

  // Model: drop[reason], eni[slot][counter 0..8] (EniCounter order)
  longint unsigned drop [16];
  longint unsigned eni [256][9];
  int errors = 0, reads = 0, clears = 0, nonzero = 0;
  logic [31:0] expect_hi;
  logic        hi_pending;

  task automatic model_clear();
    for (int r = 0; r < 16; r++) drop[r] = 0;
    for (int s = 0; s < 256; s++) for (int c = 0; c < 9; c++) eni[s][c] = 0;
  endtask

  function automatic longint unsigned model_read(input logic [15:0] addr);
    int idx;
    model_read = 0;
    if (addr >= nitro_regs_pkg::ADDR_ENI_SG_COUNT) begin
      idx = int'(addr - nitro_regs_pkg::ADDR_ENI_SG_COUNT) / 8;
      if (idx / 8 < N && idx % 8 < 5) model_read = eni[idx / 8][4 + idx % 8];
    end else if (addr >= nitro_regs_pkg::ADDR_ENI_COUNT) begin
      idx = int'(addr - nitro_regs_pkg::ADDR_ENI_COUNT) / 8;
      if (idx / 4 < N) model_read = eni[idx / 4][idx % 4];
    end else begin
      idx = int'(addr - nitro_regs_pkg::ADDR_DROP_COUNT) / 8;
      if (idx < NR) model_read = drop[idx];
    end
  endfunction

  function automatic logic [15:0] random_counter_addr();
    unique case ($urandom % 3)
      0: random_counter_addr = nitro_regs_pkg::ADDR_DROP_COUNT + 16'(8 * ($urandom % 32));
      1: random_counter_addr = nitro_regs_pkg::ADDR_ENI_COUNT + 16'(8 * ($urandom % (4 * (N + 2))));
      default: random_counter_addr = nitro_regs_pkg::ADDR_ENI_SG_COUNT + 16'(8 * ($urandom % (8 * (N + 2))));
    endcase
  endfunction

  // Drive events and CSR at negedge; check the CSR read data half a cycle later (before the edge).
  always @(negedge clk) begin
    if (!rst) begin
      a_drop = ($urandom % 3 == 0); a_reason = 4'($urandom);
      b_drop = ($urandom % 3 == 0); b_reason = 4'($urandom);
      c_drop = ($urandom % 3 == 0); c_reason = 4'($urandom);
      tx_v = ($urandom % 2 == 0); tx_slot = 8'($urandom % (N + 2)); tx_len = 16'($urandom);
      ra_v = ($urandom % 2 == 0); ra_slot = 8'($urandom % (N + 2)); ra_len = 16'($urandom);
      rb_v = ($urandom % 2 == 0); rb_slot = ($urandom % 4 == 0) ? ra_slot : 8'($urandom % (N + 2)); rb_len = 16'($urandom);
      sg_v = 2'($urandom); sg_ingress = 2'($urandom); sg_allowed = 2'($urandom); sg_exceeded = 2'($urandom);
      sg_slot[7:0] = 8'($urandom % (N + 2));
      sg_slot[15:8] = ($urandom % 3 == 0) ? sg_slot[7:0] : 8'($urandom % (N + 2));
      csr_valid = 0; csr_write = 0; csr_wdata = 0; csr_addr = 0;
      if (hi_pending) begin
        csr_valid = 1; csr_addr = csr_addr_lo + 16'd4;
      end else if ($urandom % 200 == 0) begin
        csr_valid = 1; csr_write = 1; csr_addr = nitro_regs_pkg::ADDR_COUNTER_CLEAR; csr_wdata = 32'($urandom % 2);
      end else if ($urandom % 2 == 0) begin
        csr_valid = 1; csr_addr = random_counter_addr();
      end
      #0.5;
      if (csr_valid && !csr_write) begin
        longint unsigned v;
        if (hi_pending) begin
          if (csr_rd != expect_hi) begin $display("ERROR: %h high %h model %h", csr_addr, csr_rd, expect_hi); errors++; end
          hi_pending = 0;
        end else begin
          v = model_read(csr_addr);
          if (csr_rd != v[31:0]) begin $display("ERROR: %h low %h model %h", csr_addr, csr_rd, v[31:0]); errors++; end
          if (v != 0) nonzero++;
          expect_hi = v[63:32];
          csr_addr_lo = csr_addr;
          hi_pending = 1;
          reads++;
        end
      end
    end
  end
  logic [15:0] csr_addr_lo;

  // Model update at the edge.
  always @(posedge clk) begin
    if (!rst) begin
      if (csr_valid && csr_write && csr_addr == nitro_regs_pkg::ADDR_COUNTER_CLEAR && csr_wdata[0]) begin
        model_clear();
        clears++;
      end else begin
        if (a_drop) drop[a_reason] += 1;
        if (b_drop) drop[b_reason] += 1;
        if (c_drop) drop[c_reason] += 1;
        if (tx_v) begin eni[tx_slot][0] += 1; eni[tx_slot][1] += tx_len; end
        if (ra_v) begin eni[ra_slot][2] += 1; eni[ra_slot][3] += ra_len; end
        if (rb_v) begin eni[rb_slot][2] += 1; eni[rb_slot][3] += rb_len; end
        for (int e = 0; e < 2; e++) begin
          if (sg_v[e]) begin
            int s;
            s = int'(sg_slot[8*e +: 8]);
            eni[s][4 + (sg_ingress[e] ? 0 : 2) + (sg_allowed[e] ? 0 : 1)] += 1;
            if (sg_exceeded[e]) eni[s][8] += 1;
          end
        end
      end
    end
  end

  initial begin
    csr_valid = 0; csr_write = 0; csr_addr = 0; csr_wdata = 0;
    a_drop = 0; b_drop = 0; c_drop = 0; tx_v = 0; ra_v = 0; rb_v = 0; sg_v = 0;
    a_reason = 0; b_reason = 0; c_reason = 0; tx_slot = 0; ra_slot = 0; rb_slot = 0; sg_slot = 0;
    tx_len = 0; ra_len = 0; rb_len = 0; sg_ingress = 0; sg_allowed = 0; sg_exceeded = 0;
    hi_pending = 0; expect_hi = 0; csr_addr_lo = 0;
    model_clear();
    repeat (3) @(posedge clk);
    rst = 0;
    repeat (20000) @(posedge clk);
    // reset clears too
    @(negedge clk);
    rst = 1; hi_pending = 0;
    @(posedge clk);
    model_clear();
    @(negedge clk);
    rst = 0;
    repeat (5000) @(posedge clk);
    if (clears < 10 || reads < 5000 || nonzero < 1000) begin
      $display("ERROR: too little exercised: %0d clears, %0d reads, %0d non-zero", clears, reads, nonzero);
      errors++;
    end
    $display("%0d reads (%0d non-zero), %0d clears", reads, nonzero, clears);
    verdict.finish(errors);
  end

endmodule
