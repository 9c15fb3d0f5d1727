// tb_nitro_nacl: network ACL evaluation against a first-match reference. Random rules (every
// protocol kind, port / type-code ranges, prefixes of every length, any-protocol, invalid
// rules, allow and deny) in every (acl, direction), RULES not a multiple of RULES_PER_STAGE;
// one packet per cycle with fixed latency; skip; rules rewritten between bursts; read-back.
`timescale 1ns/1ps
module tb_nitro_nacl;
  import tb_rule_ref::*;

  tb_verdict #(.TIMEOUT(2000000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  localparam int NN = 4, NR = 10, RPS = 3, LAT = (NR + RPS - 1) / RPS + 1;
  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic         in_valid, in_dir, in_skip, out_valid, out_allow, wr_en, rd_mode;
  logic [7:0]   in_acl, in_proto;
  logic [31:0]  in_remote;
  logic [15:0]  in_p1, in_p2, wr_index, rd_index;
  logic [112:0] wr_data, rd_data;

  nitro_nacl #(.NUM_NACL(NN), .RULES(NR), .RULES_PER_STAGE(RPS)) dut (
    .clk(clk), .rst(rst), .in_valid(in_valid), .in_acl(in_acl), .in_dir(in_dir), .in_skip(in_skip),
    .in_remote(in_remote), .in_proto(in_proto), .in_p1(in_p1), .in_p2(in_p2),
    .out_valid(out_valid), .out_allow(out_allow), .wr_en(wr_en), .wr_index(wr_index), .wr_data(wr_data),
    .rd_mode(rd_mode), .rd_index(rd_index), .rd_data(rd_data));

  logic [112:0] rules [2 * NN * NR];

  function automatic logic [112:0] rand_rule();
    logic [15:0] p1l, p1h, p2l, p2h;
    logic [7:0] proto;
    int len;
    logic [31:0] cidr;
    p1l = 16'($urandom % 8); p1h = p1l + 16'($urandom % 8);
    p2l = 16'($urandom % 4); p2h = p2l + 16'($urandom % 4);
    unique case ($urandom % 4)
      0: proto = 8'd1;
      1: proto = 8'd6;
      2: proto = 8'd17;
      default: proto = 8'd47;
    endcase
    len = $urandom % 33;
    if ($urandom % 3 == 0) len = 0;
    cidr = {8'd10, 8'($urandom % 2), 8'($urandom % 2), 8'($urandom % 4)} & pmask(len);
    rand_rule = {p2h, p2l, p1h, p1l, cidr, 6'(len), proto, 1'($urandom % 5 == 0), 1'($urandom), 1'($urandom % 8 != 0)};
  endfunction

  function automatic bit expect_allow(input int sel, input logic [31:0] rem, input logic [7:0] proto,
                                      input logic [15:0] p1, input logic [15:0] p2);
    expect_allow = 0;
    for (int k = NR - 1; k >= 0; k--) begin
      logic [112:0] r;
      r = rules[sel * NR + k];
      if (rule_match(r, rem, proto, p1, p2))
        expect_allow = r[1];
    end
  endfunction

  task automatic write_all();
    for (int i = 0; i < 2 * NN * NR; i++) begin
      rules[i] = rand_rule();
      @(negedge clk); wr_en = 1; wr_index = 16'(i); wr_data = rules[i];
    end
    @(negedge clk); wr_en = 0;
  endtask

  bit expq [$];
  int nout = 0, nallow = 0;
  always @(posedge clk) begin
    if (out_valid && !rst) begin
      bit e;
      e = expq.pop_front();
      verdict.check(out_allow == e, $sformatf("packet %0d: allow %0d, expected %0d", nout, out_allow, e));
      nout++;
      nallow += int'(out_allow);
    end
  end

  initial begin
    int sent;
    in_valid = 0; in_acl = 0; in_dir = 0; in_skip = 0; in_remote = 0; in_proto = 0; in_p1 = 0; in_p2 = 0;
    wr_en = 0; wr_index = 0; wr_data = 0; rd_mode = 0; rd_index = 0;
    repeat (3) @(posedge clk);
    rst = 0;
    sent = 0;
    for (int round = 0; round < 8; round++) begin
      write_all();
      for (int i = 0; i < 500; i++) begin
        int sel;
        @(negedge clk);
        in_valid = 1;
        in_acl = 8'($urandom % NN); in_dir = 1'($urandom); in_skip = ($urandom % 10 == 0);
        in_remote = {8'd10, 8'($urandom % 2), 8'($urandom % 2), 8'($urandom % 4)};
        unique case ($urandom % 4)
          0: in_proto = 8'd1;
          1: in_proto = 8'd6;
          2: in_proto = 8'd17;
          default: in_proto = 8'($urandom);
        endcase
        in_p1 = 16'($urandom % 16); in_p2 = 16'($urandom % 8);
        sel = int'(in_acl) * 2 + int'(in_dir);
        expq.push_back(in_skip ? 1'b1 : expect_allow(sel, in_remote, in_proto, in_p1, in_p2));
        sent++;
      end
      @(negedge clk); in_valid = 0;
      repeat (LAT + 2) @(negedge clk);
      verdict.check(nout == sent, $sformatf("round %0d: %0d results for %0d packets", round, nout, sent));
    end
    verdict.check(nallow > sent / 10 && nallow < sent * 9 / 10, $sformatf("poor coverage: %0d of %0d allowed", nallow, sent));
    // Read-back
    for (int i = 0; i < 2 * NN * NR; i++) begin
      @(negedge clk); rd_mode = 1; rd_index = 16'(i);
      @(negedge clk);
      @(posedge clk); #0.1;
      verdict.check(rd_data == rules[i], $sformatf("read-back %0d", i));
    end
    rd_mode = 0;
    verdict.finish(0);
  end

endmodule
