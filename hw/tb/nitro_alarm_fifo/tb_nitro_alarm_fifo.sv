// tb_nitro_alarm_fifo: random single and double pushes and pops against a queue model;
// checks order (port a before port b), count, and the saturating overflow count when full.
`timescale 1ns/1ps
module tb_nitro_alarm_fifo;

  tb_verdict #(.TIMEOUT(1000000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  localparam int W = 16, D = 8;
  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic a_push, b_push, pop;
  logic [W-1:0] a_data, b_data, head;
  logic [3:0] count;
  logic [31:0] overflow;

  nitro_alarm_fifo #(.WIDTH(W), .DEPTH(D)) dut (
    .clk(clk), .rst(rst), .a_push(a_push), .a_data(a_data), .b_push(b_push), .b_data(b_data),
    .pop(pop), .head(head), .count(count), .overflow(overflow));

  logic [W-1:0] model[$];
  int errors = 0, lost = 0;
  logic [W-1:0] seq = 0;

  always @(negedge clk) begin
    if (!rst) begin
      a_push = ($urandom % 2 == 0);
      b_push = ($urandom % 2 == 0);
      pop    = ($urandom % 3 == 0);
      a_data = seq;
      b_data = seq + 1;
      // model check of the head and count before the edge
      if (count != 4'(model.size())) begin $display("ERROR: count %0d model %0d", count, model.size()); errors++; end
      if (model.size() != 0 && head != model[0]) begin $display("ERROR: head %0h model %0h", head, model[0]); errors++; end
      if (overflow != 32'(lost)) begin $display("ERROR: overflow %0d model %0d", overflow, lost); errors++; end
    end
  end

  always @(posedge clk) begin
    if (!rst) begin
      int space;
      space = D - model.size();
      if (a_push) begin if (space > 0) begin model.push_back(a_data); space--; end else lost++; end
      if (b_push) begin if (space > 0) begin model.push_back(b_data); space--; end else lost++; end
      if (pop && count != 0) void'(model.pop_front());
      seq <= seq + 2;
    end
  end

  initial begin
    a_push = 0; b_push = 0; pop = 0; a_data = 0; b_data = 0;
    repeat (3) @(posedge clk);
    rst = 0;
    repeat (5000) @(posedge clk);
    if (lost == 0) begin $display("ERROR: overflow never exercised"); errors++; end
    verdict.finish(errors);
  end

endmodule
