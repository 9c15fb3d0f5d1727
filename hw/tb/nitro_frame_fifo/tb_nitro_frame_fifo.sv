// tb_nitro_frame_fifo: random frames (1..12 beats, some longer than the 8-beat memory) written one
// beat a cycle with gaps, random reads, against a model of the frame FIFO: a frame is readable only
// after its last beat, a frame that meets a full memory is dropped whole (dropped pulse at its last
// beat, nothing of it ever read), committed frames come out in order, beat for beat.
`timescale 1ns/1ps
module tb_nitro_frame_fifo;

  tb_verdict #(.TIMEOUT(2000000)) verdict ();

  localparam int W = 16, DL = 3, DEPTH = 2 ** DL;
  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic [W-1:0] wr_data, rd_data;
  logic wr_en, wr_last, full, dropped, committed, rd_valid, rd_ready, empty;

  nitro_frame_fifo #(.WIDTH(W), .DEPTH_LOG2(DL)) dut (
    .clk(clk), .rst(rst), .wr_data(wr_data), .wr_en(wr_en), .wr_last(wr_last), .full(full),
    .dropped(dropped), .committed(committed), .rd_data(rd_data), .rd_valid(rd_valid),
    .rd_ready(rd_ready), .empty(empty));

  // Model: committed beats not yet read, and the beats of the frame being written.
  logic [W-1:0] readable[$];
  logic [W-1:0] pending[$];
  bit spoiled = 0;
  int frame_id = 0, beat = 0, frame_len = 1, frames_done = 0, drops = 0, commits = 0, reads = 0;
  bit reading_random = 1;

  always @(negedge clk) begin
    if (!rst) begin
      wr_en    = (frames_done < 400) && ($urandom % 4 != 0);
      wr_data  = {8'(frame_id), 8'(beat)};
      wr_last  = (beat == frame_len - 1);
      rd_ready = reading_random ? ($urandom % 3 != 0) : 1'b1;
    end
  end

  always @(posedge clk) begin
    if (!rst) begin
      bit model_full, exp_spoil;
      model_full = (readable.size() + pending.size()) == DEPTH;
      verdict.check(full == model_full, $sformatf("full %0b, model %0b", full, model_full));
      verdict.check(rd_valid == (readable.size() > 0), "rd_valid only with a committed beat");
      verdict.check(empty == (readable.size() == 0 && pending.size() == 0 && !spoiled), "empty");
      if (rd_valid && rd_ready) begin
        verdict.check(rd_data == readable[0], $sformatf("read %h, expected %h", rd_data, readable[0]));
        void'(readable.pop_front());
        reads++;
      end
      exp_spoil = wr_en && (spoiled || model_full);
      verdict.check(dropped == (exp_spoil && wr_last), "dropped pulse");
      verdict.check(committed == (wr_en && !exp_spoil && wr_last), "committed pulse");
      if (wr_en) begin
        if (!exp_spoil) pending.push_back(wr_data);
        if (wr_last) begin
          if (exp_spoil) begin
            drops++;
            verdict.check(frame_len > 0, "a dropped frame");
          end else begin
            commits++;
            foreach (pending[i]) readable.push_back(pending[i]);
          end
          pending.delete();
          spoiled = 0;
          frame_id++;
          beat = 0;
          frame_len = ($urandom % 10 == 0) ? DEPTH + 1 + ($urandom % 4) : 1 + ($urandom % DEPTH);
          frames_done++;
        end else begin
          spoiled = exp_spoil;
          beat++;
        end
      end
    end
  end

  initial begin
    wr_en = 0; wr_last = 0; wr_data = 0; rd_ready = 0;
    repeat (4) @(posedge clk);
    rst = 0;
    wait (frames_done >= 400);
    reading_random = 0;
    repeat (40) @(posedge clk);
    verdict.check(readable.size() == 0 && empty, "drained to empty");
    verdict.check(drops > 20 && commits > 200, $sformatf("mix: %0d drops, %0d commits", drops, commits));
    $display("frames %0d, committed %0d, dropped %0d, beats read %0d", frames_done, commits, drops, reads);
    verdict.finish(0);
  end

endmodule
