"""The chain's refusals, as one exception family.

Class names follow the chain's error names (opentensor/subtensor `Error<T>`), so a reader who meets
`SettingWeightsTooFast` here recognises it on chain. `str(err)` is a plain sentence for a reader; widgets
show it next to the control that caused it. Every refused operation raises one of these and changes nothing.
"""

from __future__ import annotations


class ChainError(Exception):
    """Base of every refusal. `message` is written for a reader, not a developer."""

    message = "The chain refused this operation."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)

    @property
    def name(self) -> str:
        """The chain's name for this error, e.g. 'SlippageTooHigh'."""
        return type(self).__name__


class InvalidInput(ChainError, ValueError):
    message = "That input is not valid (negative, not a whole number of rao, NaN, or an unknown name)."


# --- balances and accounts -------------------------------------------------------------------------------
class NotEnoughBalance(ChainError):
    message = "The coldkey does not have enough free TAO for this."


class NotEnoughBalanceToStake(NotEnoughBalance):
    message = "The coldkey does not have enough free TAO to stake that much."


class NotEnoughStakeToWithdraw(ChainError):
    message = "There is not that much stake to remove (or move) from this hotkey on this subnet."


class HotKeyAccountNotExists(ChainError):
    message = "This hotkey does not exist yet: register it on a subnet first."


class NonAssociatedColdKey(ChainError):
    message = "This hotkey belongs to a different coldkey."


class HotKeyAlreadyRegisteredInSubNet(ChainError):
    message = "This hotkey already has a UID on this subnet."


class HotKeyNotRegisteredInSubNet(ChainError):
    message = "This hotkey has no UID on this subnet."


HotKeyNotRegistered = HotKeyNotRegisteredInSubNet


# --- subnets ----------------------------------------------------------------------------------------------
class SubnetNotExists(ChainError):
    message = "There is no subnet with this netuid."


class SubnetLimitReached(ChainError):
    message = "All subnet slots are taken and every subnet is still immune from pruning."


class NotSubnetOwner(ChainError):
    message = "Only the subnet's owner may do this."


class SubtokenDisabled(ChainError):
    message = "Staking into subnets (alpha) does not exist in this era: stake on root (netuid 0)."


class RegistrationNotPermittedOnRootSubnet(ChainError):
    message = "The root subnet (netuid 0) has no miners: use root_register instead."


class TooManyRegistrationsThisBlock(ChainError):
    message = "This subnet already accepted its maximum number of registrations in this block."


class TooManyRegistrationsThisInterval(ChainError):
    message = "This subnet already accepted its maximum number of registrations in this interval."


class NoNeuronIdAvailable(ChainError):
    message = "The subnet is full and every UID is still immune from pruning."


class StakeTooLowForRoot(ChainError):
    message = "The root network is full and this hotkey has less root stake than the lowest member."


# --- staking and the pool ---------------------------------------------------------------------------------
class AmountTooLow(ChainError):
    message = "The amount is below the chain's minimum (0.0005 TAO) for staking operations."


class SlippageTooHigh(ChainError):
    message = "The trade would execute at a worse average price than your limit."


class InsufficientLiquidity(ChainError):
    message = "The pool does not have enough liquidity for this trade."


class DelegateTakeTooHigh(ChainError):
    message = "The validator take cannot exceed 18 %."


class DelegateTakeTooLow(ChainError):
    message = "The validator take cannot be negative."


# --- weights ----------------------------------------------------------------------------------------------
class SettingWeightsTooFast(ChainError):
    message = "This neuron set weights too recently: wait for the weights rate limit to pass."


WeightsRateLimit = SettingWeightsTooFast


class NeuronNoValidatorPermit(ChainError):
    message = "Only neurons with a validator permit may set weights on other neurons."


class WeightVecNotEqualSize(ChainError):
    message = "The list of UIDs and the list of weights must have the same length."


class InvalidWeights(ChainError):
    message = "These weights are not valid."


class DuplicateUids(InvalidWeights):
    message = "A UID appears twice in the weights."


class UidVecContainsInvalidOne(InvalidWeights):
    message = "The weights name a UID that does not exist on this subnet."


class WeightVecLengthIsLow(InvalidWeights):
    message = "Too few UIDs have weight: the subnet requires at least min_allowed_weights of them."


class CommitRevealEnabled(ChainError):
    message = "This subnet hides weights with commit-reveal: commit them first, reveal them later."


class CommitRevealDisabled(ChainError):
    message = "Commit-reveal is off on this subnet: set weights directly."


class NoWeightsCommitFound(ChainError):
    message = "There is no matching weights commit to reveal."


class InvalidRevealCommitHashNotMatch(ChainError):
    message = "The revealed weights and salt do not match the committed hash."


class RevealTooEarly(ChainError):
    message = "Too early to reveal: wait until the reveal epoch."


class ExpiredWeightCommit(ChainError):
    message = "This commit's reveal epoch has passed; commit again."


class TooManyUnrevealedCommits(ChainError):
    message = "This hotkey already has the maximum number of unrevealed commits."


ERRORS = {
    cls.__name__: cls
    for cls in list(globals().values())
    if isinstance(cls, type) and issubclass(cls, ChainError)
}
