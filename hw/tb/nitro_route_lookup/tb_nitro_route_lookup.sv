// tb_nitro_route_lookup: the route lookup against a linear-scan reference. Random sorted banks
// (several tables, every KIND, partly filled: valid intervals first), one search per cycle
// (fixed latency LEVELS + 1), searches of keys equal to, just below and between interval
// starts and of tables with no interval; the inactive bank is rewritten while the active one is
// searched (no effect), then the bank switch; read-back of every position of both banks.
`timescale 1ns/1ps
module tb_nitro_route_lookup;

  tb_verdict #(.TIMEOUT(2000000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  localparam int LV = 6, N = 2**LV - 1;
  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic        in_valid, out_valid, wr_en, wr_bank, bank_we, bank_wdata, bank, rd_mode, rd_bank;
  logic [7:0]  in_table;
  logic [31:0] in_ip, out_edge_ip;
  logic [1:0]  out_kind;
  logic [LV-1:0] wr_pos, rd_pos;
  logic [74:0] wr_data, rd_data;

  nitro_route_lookup #(.LEVELS(LV)) dut (
    .clk(clk), .rst(rst), .in_valid(in_valid), .in_table(in_table), .in_ip(in_ip),
    .out_valid(out_valid), .out_kind(out_kind), .out_edge_ip(out_edge_ip),
    .wr_en(wr_en), .wr_bank(wr_bank), .wr_pos(wr_pos), .wr_data(wr_data),
    .bank_we(bank_we), .bank_wdata(bank_wdata), .bank(bank),
    .rd_mode(rd_mode), .rd_bank(rd_bank), .rd_pos(rd_pos), .rd_data(rd_data));

  // Reference banks
  logic [74:0] ref_ent [2][N];
  int n_used [2];


  function automatic logic [74:0] mk(input bit v, input logic [1:0] kind, input logic [7:0] t,
                                     input logic [31:0] start, input logic [31:0] eip);
    mk = {eip, start, t, kind, v};
  endfunction

  // Fill bank b with n sorted random intervals over tables 1..3 (table 2 gets few)
  task automatic fill(input int b, input int n);
    logic [39:0] keys [$];
    keys = {};
    while (keys.size() < n) begin
      logic [39:0] k;
      bit dup;
      k = {8'($urandom_range(1, 3)), ($urandom % 4 == 0) ? 32'($urandom) : {8'd10, 8'($urandom % 4), 16'($urandom % 4 * 64)}};
      dup = 0;
      foreach (keys[i]) if (keys[i] == k) dup = 1;
      if (!dup) keys.push_back(k);
    end
    keys.sort();
    for (int p = 0; p < N; p++) begin
      if (p < n) ref_ent[b][p] = mk(1, 2'($urandom), keys[p][39:32], keys[p][31:0], $urandom);
      else       ref_ent[b][p] = mk(0, 2'($urandom), 8'($urandom), $urandom, $urandom);   // garbage, invalid
    end
    n_used[b] = n;
  endtask

  task automatic write_bank(input int b);
    for (int p = 0; p < N; p++) begin
      @(negedge clk);
      wr_en = 1; wr_bank = 1'(b); wr_pos = LV'(p); wr_data = ref_ent[b][p];
    end
    @(negedge clk); wr_en = 0;
  endtask

  function automatic logic [33:0] expect_route(input int b, input logic [7:0] t, input logic [31:0] ip);
    int best;
    best = -1;
    for (int p = 0; p < N; p++) begin
      if (ref_ent[b][p][0] && {ref_ent[b][p][10:3], ref_ent[b][p][42:11]} <= {t, ip}) best = p;
    end
    if (best < 0 || ref_ent[b][best][10:3] != t) expect_route = '0;
    else expect_route = {ref_ent[b][best][74:43], ref_ent[b][best][2:1]};
  endfunction

  // Searches: pushed one per cycle, expectations queued with the active bank
  logic [33:0] expq [$];
  int nout = 0;
  always @(posedge clk) begin
    if (out_valid && !rst) begin
      logic [33:0] e;
      e = expq.pop_front();
      verdict.check(out_kind == e[1:0] && (e[1:0] != 2'd2 || out_edge_ip == e[33:2]),
            $sformatf("search %0d: kind %0d edge %h, expected %0d %h", nout, out_kind, out_edge_ip, e[1:0], e[33:2]));
      nout++;
    end
  end

  // count searches of bank b, one per cycle; meanwhile bank wb is rewritten (wb < 0: no writes)
  task automatic search_burst(input int count, input int b, input int wb);
    for (int i = 0; i < count; i++) begin
      logic [7:0] t; logic [31:0] ip; int p;
      p = $urandom % N;
      t = 8'($urandom_range(0, 4));
      unique case ($urandom % 4)
        0: begin t = ref_ent[b][p][10:3]; ip = ref_ent[b][p][42:11]; end
        1: begin t = ref_ent[b][p][10:3]; ip = ref_ent[b][p][42:11] - 1; end
        2: ip = {8'd10, 8'($urandom % 4), 16'($urandom)};
        default: ip = $urandom;
      endcase
      @(negedge clk);
      in_valid = 1; in_table = t; in_ip = ip;
      expq.push_back(expect_route(b, t, ip));
      wr_en = (wb >= 0 && i < N); wr_bank = 1'(wb); wr_pos = LV'(i); wr_data = ref_ent[wb < 0 ? 0 : wb][i % N];
    end
    @(negedge clk); in_valid = 0; wr_en = 0;
  endtask

  initial begin
    int sent;
    in_valid = 0; wr_en = 0; bank_we = 0; rd_mode = 0; in_table = 0; in_ip = 0;
    wr_bank = 0; wr_pos = 0; wr_data = 0; bank_wdata = 0; rd_bank = 0; rd_pos = 0;
    repeat (3) @(posedge clk);
    rst = 0;
    verdict.check(bank == 0, "reset bank");

    for (int round = 0; round < 6; round++) begin
      int a;
      a = int'(bank);
      fill(a, (round == 0) ? N : (round == 1) ? 0 : 1 + $urandom % N);
      write_bank(a);
      // rewrite the other bank while searching this one
      fill(1 - a, $urandom % (N + 1));
      search_burst(300, a, 1 - a);
      $display("round %0d bank %0d: %0d + %0d intervals", round, a, n_used[a], n_used[1-a]);
      sent = 300 * (round + 1);
      repeat (LV + 3) @(negedge clk);
      verdict.check(nout == sent && expq.size() == 0, $sformatf("round %0d: %0d results for %0d searches", round, nout, sent));
      // read-back of both banks
      for (int b = 0; b < 2; b++) begin
        for (int p = 0; p < N; p++) begin
          @(negedge clk); rd_mode = 1; rd_bank = 1'(b); rd_pos = LV'(p);
          @(negedge clk);
          @(posedge clk); #0.1;
          verdict.check(rd_data == ref_ent[b][p], $sformatf("read-back bank %0d pos %0d: %h vs %h", b, p, rd_data, ref_ent[b][p]));
        end
      end
      @(negedge clk); rd_mode = 0;
      // switch banks
      @(negedge clk); bank_we = 1; bank_wdata = 1'(1 - a);
      @(negedge clk); bank_we = 0;
      verdict.check(int'(bank) == 1 - a, "bank switch");
    end

    verdict.finish(0);
  end

endmodule
