// tb_nitro_sg_scan: the security group rule scan against a reference (any rule of the range
// matches). Random rules and ranges (empty, unaligned, up to the end of the array), random
// packets; the cycle count of every scan is checked against 1 + rows of the range, and the
// full scan of a range with no match takes exactly that; the probe (first row of every range:
// hit, final) against the same reference, and probe 1 (another range and remote of the same
// packet) before, during and after every scan; read-back of the array.
`timescale 1ns/1ps
module tb_nitro_sg_scan;
  import tb_rule_ref::*;

  tb_verdict #(.TIMEOUT(4000000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  localparam int RL = 6, N = 2**RL, PC = 4;
  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic         start, ready, done, allowed, wr_en, rd_mode;
  logic [15:0]  base, count, p1, p2;
  logic [31:0]  remote;
  logic [7:0]   proto;
  logic [RL-1:0] wr_index, rd_index;
  logic [112:0] wr_data, rd_data;
  logic [RL-1:0] probe_row_addr, probe1_row_addr;
  logic         probe_hit, probe_final, probe1_hit, probe1_final;
  logic         probe_en, probe1_en;
  logic [15:0]  base1, count1;
  logic [31:0]  remote1;

  nitro_sg_scan #(.RULES_LOG2(RL), .PER_CYCLE(PC)) dut (
    .clk(clk), .rst(rst), .start(start), .ready(ready), .base(base), .count(count), .remote(remote),
    .proto(proto), .p1(p1), .p2(p2), .done(done), .allowed(allowed), .wr_en(wr_en), .wr_index(wr_index),
    .wr_data(wr_data), .rd_mode(rd_mode), .rd_index(rd_index), .rd_data(rd_data),
    .probe_row_addr(probe_row_addr), .probe_en(probe_en), .probe_base(base), .probe_count(count), .probe_remote(remote),
    .probe_proto(proto), .probe_p1(p1), .probe_p2(p2), .probe_hit(probe_hit), .probe_final(probe_final),
    .probe1_rd_en(1'b1), .probe1_row_addr(probe1_row_addr), .probe1_en(probe1_en), .probe1_base(base1), .probe1_count(count1), .probe1_remote(remote1),
    .probe1_hit(probe1_hit), .probe1_final(probe1_final));

  logic [112:0] rules [N];

  function automatic logic [112:0] rand_rule();
    logic [15:0] p1l, p2l;
    logic [7:0] pr;
    int len;
    p1l = 16'($urandom % 16); p2l = 16'($urandom % 4);
    unique case ($urandom % 4)
      0: pr = 8'd1;
      1: pr = 8'd6;
      2: pr = 8'd17;
      default: pr = 8'd47;
    endcase
    len = ($urandom % 2) ? 32 : $urandom % 33;
    rand_rule = {p2l + 16'($urandom % 3), p2l, p1l + 16'($urandom % 4), p1l,
                 {8'd10, 8'd0, 8'($urandom % 2), 8'($urandom % 16)} & pmask(len), 6'(len), pr,
                 1'($urandom % 10 == 0), 1'b0, 1'($urandom % 8 != 0)};
  endfunction

  initial begin
    int nallow, nscan;
    start = 0; base = 0; count = 0; remote = 0; proto = 0; p1 = 0; p2 = 0;
    wr_en = 0; wr_index = 0; wr_data = 0; rd_mode = 0; rd_index = 0; probe_row_addr = 0;
    probe1_row_addr = 0; base1 = 0; count1 = 0; remote1 = 0; probe_en = 1; probe1_en = 1;
    repeat (3) @(posedge clk);
    rst = 0;
    for (int i = 0; i < N; i++) begin
      rules[i] = rand_rule();
      @(negedge clk); wr_en = 1; wr_index = RL'(i); wr_data = rules[i];
    end
    @(negedge clk); wr_en = 0;
    nallow = 0; nscan = 0;
    for (int s = 0; s < 3000; s++) begin
      int b, c, t0, cyc, rows, first, row_end, b1, c1, row_end1;
      bit exp, exp_row, exp_row1;
      b = $urandom % N;
      c = (s % 10 == 0) ? 0 : $urandom % (N - b + 1);
      b1 = $urandom % N;
      c1 = (s % 7 == 0) ? 0 : $urandom % (N - b1 + 1);
      @(negedge clk);
      probe_row_addr = RL'(b);                    // the probes read the first row of their range
      probe1_row_addr = RL'(b1);
      @(negedge clk);
      base = 16'(b); count = 16'(c);
      base1 = 16'(b1); count1 = 16'(c1);
      remote = {8'd10, 8'd0, 8'($urandom % 2), 8'($urandom % 16)};
      remote1 = {8'd10, 8'd0, 8'($urandom % 2), 8'($urandom % 16)};
      unique case ($urandom % 4)
        0: proto = 8'd1;
        1: proto = 8'd6;
        2: proto = 8'd17;
        default: proto = 8'($urandom);
      endcase
      p1 = 16'($urandom % 20); p2 = 16'($urandom % 8);
      exp = 0; first = -1;
      for (int i = b; i < b + c; i++) if (rule_match(rules[i], remote, proto, p1, p2) && first < 0) first = i;
      exp = first >= 0;
      rows = (c == 0) ? 0 : ((b + c - 1) / PC - b / PC + 1);
      row_end = (b / PC + 1) * PC;
      exp_row = 0;
      for (int i = b; i < b + c && i < row_end; i++) if (rule_match(rules[i], remote, proto, p1, p2)) exp_row = 1;
      row_end1 = (b1 / PC + 1) * PC;
      exp_row1 = 0;
      for (int i = b1; i < b1 + c1 && i < row_end1; i++) if (rule_match(rules[i], remote1, proto, p1, p2)) exp_row1 = 1;
      #0.1;
      if (s % 5 == 0) begin                       // a probe nobody reads compares nothing
        probe_en = 0; probe1_en = 0;
        #0.1;
        verdict.check(!probe_hit && !probe1_hit, $sformatf("probe %0d disabled: hit %0d, probe 1 hit %0d", s, probe_hit, probe1_hit));
        probe_en = 1; probe1_en = 1;
        #0.1;
      end
      verdict.check(probe1_hit == exp_row1, $sformatf("probe 1 %0d [%0d,+%0d): hit %0d, expected %0d", s, b1, c1, probe1_hit, exp_row1));
      verdict.check(probe1_final == (b1 + c1 <= row_end1), $sformatf("probe 1 %0d [%0d,+%0d): final %0d", s, b1, c1, probe1_final));
      verdict.check(probe_hit == exp_row, $sformatf("probe %0d [%0d,+%0d): hit %0d, expected %0d", s, b, c, probe_hit, exp_row));
      verdict.check(probe_final == (b + c <= row_end), $sformatf("probe %0d [%0d,+%0d): final %0d", s, b, c, probe_final));
      verdict.check(ready, "not ready");
      start = 1;
      t0 = int'($time);
      @(negedge clk); start = 0;
      while (!done) begin
        verdict.check(probe1_hit == exp_row1, $sformatf("probe 1 %0d during the scan: hit %0d, expected %0d", s, probe1_hit, exp_row1));
        @(negedge clk);
      end
      verdict.check(probe1_hit == exp_row1, $sformatf("probe 1 %0d at done: hit %0d, expected %0d", s, probe1_hit, exp_row1));
      cyc = (int'($time) - t0) / 2 - 1;           // clock edges from the one taking start to the one raising done
      verdict.check(allowed == exp, $sformatf("scan %0d [%0d,+%0d): allowed %0d, expected %0d", s, b, c, allowed, exp));
      if (exp) verdict.check(cyc == 2 + (first / PC - b / PC), $sformatf("scan %0d: %0d cycles to a match in row %0d", s, cyc, first / PC - b / PC));
      else     verdict.check(cyc == 1 + rows, $sformatf("scan %0d: %0d cycles for %0d rows", s, cyc, rows));
      nallow += int'(exp); nscan++;
    end
    verdict.check(nallow > nscan / 10 && nallow < nscan * 9 / 10, $sformatf("poor coverage: %0d of %0d allowed", nallow, nscan));
    for (int i = 0; i < N; i++) begin
      @(negedge clk); rd_mode = 1; rd_index = RL'(i);
      @(negedge clk);
      @(posedge clk); #0.1;
      verdict.check(rd_data == rules[i], $sformatf("read-back %0d", i));
    end
    rd_mode = 0;
    verdict.finish(0);
  end

endmodule
