package dev.starling.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.testing.Samples;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pool of reused call tensors, on the real iris model. */
class CallSlotsTest {

  @Test
  void slotShapesFollowTheRowCountAndOnlyTheFirstDimMayBeFree() {
    TensorSpec probs = new TensorSpec("p", Datatype.FP32, new long[] {-1, 3}, new String[2]);
    assertThat(CallSlot.shapeFor(probs, 2)).containsExactly(2, 3);
    TensorSpec inner = new TensorSpec("x", Datatype.FP32, new long[] {-1, -1}, new String[2]);
    assertThat(CallSlot.shapeFor(inner, 2)).isNull();
    TensorSpec words = new TensorSpec("w", Datatype.BYTES, new long[] {-1}, new String[1]);
    assertThat(CallSlots.usable(new ModelSignature(List.of(probs), List.of(probs)))).isTrue();
    assertThat(CallSlots.usable(new ModelSignature(List.of(inner), List.of(probs)))).isFalse();
    assertThat(CallSlots.usable(new ModelSignature(List.of(probs), List.of(words)))).isFalse();
  }

  @Test
  void callsAtOnceGetTheirOwnSlotsAndFewAreKept() {
    try (OnnxModel model = OnnxModel.load(Samples.model("iris"), null, 1)) {
      List<CallSlot> out = new ArrayList<>();
      for (int i = 0; i < CallSlots.IDLE_PER_ROWS + 2; i++) {
        out.add(model.borrowSlot(2));
      }
      assertThat(out).doesNotContainNull().doesNotHaveDuplicates();
      assertThat(out.get(0).input("float_input").buffer())
          .isNotSameAs(out.get(1).input("float_input").buffer());
      out.forEach(model::giveBack);
      assertThat(model.idleSlots(2)).isEqualTo(CallSlots.IDLE_PER_ROWS);
      assertThat(model.borrowSlot(CallSlots.MAX_ROWS + 1)).as("too many rows").isNull();
      assertThat(model.borrowSlot(0)).isNull();
    }
  }

  /**
   * The check that guards against an output ONNX Runtime did not write in place (its C API leaves a
   * pre-allocated output untouched then): a marked slot whose call did not run reads as not
   * written; after a real call, as written.
   */
  @Test
  void aSlotCountsAsCheckedOnlyOnceACallWroteItsOutputs() throws Exception {
    try (OnnxModel model = OnnxModel.load(Samples.model("iris"), null, 1)) {
      CallSlot slot = model.borrowSlot(1);
      Set<String> names = Set.of("label", "probabilities");
      slot.mark();
      assertThat(slot.writtenInPlace(names)).isFalse();
      assertThat(slot.checked(names)).isFalse();
      slot.input("float_input").buffer().asFloatBuffer().put(new float[] {5.1f, 3.5f, 1.4f, 0.2f});
      model.run(slot, null);
      assertThat(slot.writtenInPlace(Set.of("label"))).isTrue();
      assertThat(slot.checked(Set.of("label"))).isTrue();
      assertThat(slot.checked(names)).as("probabilities not checked yet").isFalse();
      assertThat(slot.writtenInPlace(names)).isTrue();
      assertThat(slot.checked(names)).isTrue();
      assertThat(slot.output("label").buffer().getLong(0)).as("setosa").isZero();
      model.giveBack(slot);
    }
  }

  @Test
  void aClosedModelKeepsNoSlots() {
    OnnxModel model = OnnxModel.load(Samples.model("iris"), null, 1);
    CallSlot slot = model.borrowSlot(1);
    model.giveBack(slot);
    assertThat(model.idleSlots(1)).isOne();
    model.close();
    assertThat(model.idleSlots(1)).isZero();
    assertThat(model.borrowSlot(1)).isNull();
  }
}
