"""The free sandbox's actions: everything a reader can do to the network, one tab each.

Each action goes through the chain's own operations; a refusal is shown as a plain sentence next to the
button that caused it, and changes nothing. Adding participants is several operations in a row (fund,
register, stake, for each newcomer); `Simulation.add_agents` runs them all or none.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as ipw

from taosandbox.agents import Validator
from taosandbox.chain import ROOT, SUBNET_DEFAULTS
from taosandbox.errors import ChainError
from taosandbox.simulations import Simulation
from taosandbox.tasks import TASKS
from taosandbox.units import format_alpha, format_tao, tao

from .chain_views import done, refused

if TYPE_CHECKING:
    from .sandbox import Sandbox

WIDE = {"description_width": "150px"}
NEWCOMERS = {"miners": "Miner", "honest validators": "HonestValidator",
             "winner-takes-all validators": "WinnerTakesAll", "weight copiers": "WeightCopier"}
HYPERPARAMETERS = ("kappa", "tempo", "bonds_moving_avg", "bonds_penalty", "yuma_version", "liquid_alpha_enabled",
                   "commit_reveal_weights_enabled", "commit_reveal_period", "max_validators", "max_allowed_uids",
                   "immunity_period", "activity_cutoff", "weights_rate_limit")


def problem(text: str) -> str:
    """A refusal that comes from the sandbox's own form (not from the chain), in the same red."""
    return f"<span style='color:#b00'><b>Refused.</b> {html.escape(text)}</span>"


def parse_hyperparameter(name: str, text: str):
    """The reader's text as the hyperparameter's type (True/False, a whole number or a number)."""
    default = SUBNET_DEFAULTS[name]
    text = text.strip()
    if isinstance(default, bool):
        words = {**dict.fromkeys(("true", "on", "yes", "1"), True), **dict.fromkeys(("false", "off", "no", "0"), False)}
        if text.lower() not in words:
            raise ValueError(f"{name} is True or False; got {text!r}.")
        return words[text.lower()]
    try:
        return int(text) if isinstance(default, int) else float(text)
    except ValueError:
        kind = "a whole number" if isinstance(default, int) else "a number"
        raise ValueError(f"{name} is {kind}; got {text!r}.") from None


class Actions(ipw.Tab):
    """The tabs of actions on `host.sim` (the host is the Sandbox, whose `sim` a Reset or a Load replaces).

    Each tab has its own ``message``; ``host.refresh()`` redraws the dashboards after a change."""

    def __init__(self, host: Sandbox):
        self.host = host
        button = lambda text, css, style="primary": ipw.Button(  # noqa: E731
            description=text, button_style=style, layout=ipw.Layout(width="230px")).add_class(css)

        # You: your wallet and the faucet.
        self.wallet = ipw.HTML().add_class("ts-wallet")
        self.faucet_amount = ipw.FloatText(value=10_000, description="Amount (τ)", style=WIDE,
                                           layout=ipw.Layout(width="320px")).add_class("ts-faucet-amount")
        self.faucet_button = button("Faucet: give me τ", "ts-faucet", "")
        self.wallet_message = ipw.HTML().add_class("ts-message")

        # Subnets: register one.
        self.task = ipw.Dropdown(options=list(TASKS), value="forecast", description="Its task", style=WIDE,
                                 layout=ipw.Layout(width="380px")).add_class("ts-task")
        self.register_button = button("Register a subnet", "ts-register-subnet")
        self.lock_cost = ipw.HTML().add_class("ts-lock-cost")
        self.subnet_message = ipw.HTML().add_class("ts-message")

        # Participants: newcomers of one kind, or a cabal.
        self.kind = ipw.Dropdown(options=list(NEWCOMERS.items()), value="Miner", description="Add", style=WIDE,
                                 layout=ipw.Layout(width="380px")).add_class("ts-newcomer-kind")
        self.count = ipw.BoundedIntText(value=4, min=1, max=32, description="How many", style=WIDE,
                                        layout=ipw.Layout(width="260px")).add_class("ts-newcomer-count")
        self.quality = ipw.FloatSlider(value=0.7, min=0, max=1, step=0.05, description="Miner quality",
                                       continuous_update=False, style=WIDE,
                                       layout=ipw.Layout(width="420px")).add_class("ts-newcomer-quality")
        self.stake_each = ipw.FloatText(value=2_000, description="Validator stake (τ)", style=WIDE,
                                        layout=ipw.Layout(width="320px")).add_class("ts-newcomer-stake")
        self.add_button = button("Add them", "ts-add-participants")
        self.cabal_validators = ipw.BoundedIntText(value=3, min=1, max=16, description="Cabal validators",
                                                   style=WIDE, layout=ipw.Layout(width="260px"))
        self.cabal_validators.add_class("ts-cabal-validators")
        self.cabal_stake = ipw.FloatText(value=10_000, description="Stake each (τ)", style=WIDE,
                                         layout=ipw.Layout(width="320px")).add_class("ts-cabal-stake")
        self.cabal_miners = ipw.BoundedIntText(value=2, min=1, max=8, description="Cabal miners", style=WIDE,
                                               layout=ipw.Layout(width="260px")).add_class("ts-cabal-miners")
        self.cabal_button = button("Form a cabal", "ts-form-cabal", "danger")
        self.participants_message = ipw.HTML().add_class("ts-message")

        # Stake: yours, on a validator of the chosen subnet.
        self.hotkey = ipw.Dropdown(description="On validator", style=WIDE, layout=ipw.Layout(width="560px"))
        self.hotkey.add_class("ts-stake-hotkey")
        self.amount = ipw.FloatText(value=1_000, description="Amount (τ or α)", style=WIDE,
                                    layout=ipw.Layout(width="320px")).add_class("ts-stake-amount")
        self.stake_button = button("Stake τ", "ts-stake")
        self.unstake_button = button("Unstake α", "ts-unstake", "warning")
        self.unstake_all_button = button("Unstake all", "ts-unstake-all", "warning")
        self.position = ipw.HTML().add_class("ts-position")
        self.stake_message = ipw.HTML().add_class("ts-message")

        # Hyperparameters: as the chosen subnet's owner.
        self.name = ipw.Dropdown(options=HYPERPARAMETERS, value="kappa", description="Hyperparameter", style=WIDE,
                                 layout=ipw.Layout(width="420px")).add_class("ts-hyperparameter")
        self.value = ipw.Text(description="New value", style=WIDE, layout=ipw.Layout(width="320px"))
        self.value.add_class("ts-hyperparameter-value")
        self.apply_button = button("Set it", "ts-set-hyperparameter")
        self.current = ipw.HTML().add_class("ts-hyperparameter-current")
        self.hyper_message = ipw.HTML().add_class("ts-message")

        self.faucet_button.on_click(self._faucet)
        self.register_button.on_click(self._register_subnet)
        self.add_button.on_click(self._add_participants)
        self.cabal_button.on_click(self._form_cabal)
        self.stake_button.on_click(self._stake)
        self.unstake_button.on_click(self._unstake)
        self.unstake_all_button.on_click(self._unstake_all)
        self.apply_button.on_click(self._set_hyperparameter)
        self.name.observe(lambda _: self.show_current(), names="value")
        self.hotkey.observe(lambda _: self._show_position(), names="value")
        row = lambda *children: ipw.HBox(list(children), layout=ipw.Layout(align_items="center"))  # noqa: E731
        tabs = {
            "You": ipw.VBox([self.wallet, row(self.faucet_amount, self.faucet_button), self.wallet_message]),
            "Subnets": ipw.VBox([row(self.task, self.register_button), self.lock_cost, self.subnet_message]),
            "Miners & validators": ipw.VBox([
                row(self.kind, self.count), row(self.quality, self.stake_each), self.add_button,
                ipw.HTML("<b>Or form a cabal:</b> validators that put all their weight on their own weak "
                         "miners (quality 0.1), whatever those deliver."),
                row(self.cabal_validators, self.cabal_stake, self.cabal_miners), self.cabal_button,
                self.participants_message]),
            "Stake": ipw.VBox([self.position, self.hotkey, row(self.amount, self.stake_button, self.unstake_button),
                               self.unstake_all_button,
                               self.stake_message]),
            "Hyperparameters": ipw.VBox([row(self.name, self.current), row(self.value, self.apply_button),
                                         self.hyper_message]),
        }
        super().__init__(list(tabs.values()), titles=list(tabs))
        self.add_class("ts-sandbox-actions")

    # --- what the tabs show -----------------------------------------------------------------------------
    @property
    def sim(self) -> Simulation:
        return self.host.sim

    @property
    def netuid(self) -> int | None:
        return self.host.subnet.value

    def refresh(self) -> None:
        """Re-read the simulation: wallet, lock cost, the subnet's validators, the current hyperparameter."""
        chain, you = self.sim.chain, self.host.coldkey
        self.wallet.value = (f"You are <b>{you}</b>: <b>{format_tao(chain.balance(you), 2)}</b> free. The faucet "
                             "is the sandbox's (a test network has one, the main chain does not).")
        self.lock_cost.value = (f"A new subnet locks <b>{format_tao(chain.network_lock_cost(), 0)}</b> now: the "
                                "lock doubles with every registration and then decays over the following days.")
        options = []
        if self.netuid is not None:
            s, kinds = chain.subnet(self.netuid), self.host.kinds
            stake = chain.stake_weight(self.netuid)
            options = [(f"UID {uid} · {s.hotkeys[uid]} ({kinds.get(s.hotkeys[uid], 'other')})", s.hotkeys[uid])
                       for uid in sorted(range(s.n), key=lambda u: -stake[u]) if s.validator_permit[uid]]
        # Only when the list really changed: re-sending it at every Play tick would close an open dropdown.
        if options != list(self.hotkey.options):
            keep, hotkeys = self.hotkey.value, [hotkey for _, hotkey in options]
            self.hotkey.options = options
            self.hotkey.value = keep if keep in hotkeys else (hotkeys[0] if hotkeys else None)
        self._show_position()
        self.show_current()

    def show_current(self) -> None:
        if self.netuid is None:
            self.current.value = ""
            return
        s = self.sim.chain.subnet(self.netuid)
        value = s.hyperparams[self.name.value]
        shown = f"{value:.6g}" if isinstance(value, float) else str(value)
        self.current.value = f"now <b>{shown}</b> on subnet {self.netuid} (owner: {s.owner_coldkey})"

    def _show_position(self) -> None:
        chain, hotkey = self.sim.chain, self.hotkey.value
        if self.netuid is None or hotkey is None:
            self.position.value = ""
            return
        held = chain.stake(hotkey, self.netuid, self.host.coldkey)
        self.position.value = (f"Subnet {self.netuid} price <b>{chain.price(self.netuid):.4f} τ/α</b> · you have "
                               f"<b>{format_tao(chain.balance(self.host.coldkey), 2)}</b> free and "
                               f"<b>{format_alpha(held, 3, self.netuid)}</b> staked on this validator")

    def _after(self, message: ipw.HTML, text: str) -> None:
        message.value = done(text)
        self.host.refresh()

    # --- the actions --------------------------------------------------------------------------------------
    def _faucet(self, _button=None) -> None:
        try:
            self.sim.chain.faucet(self.host.coldkey, tao(self.faucet_amount.value))
        except (ChainError, ValueError, TypeError) as err:
            self.wallet_message.value = refused(err) if isinstance(err, ChainError) else problem(str(err))
            return
        self._after(self.wallet_message, f"{format_tao(tao(self.faucet_amount.value), 2)} minted to you.")

    def _register_subnet(self, _button=None) -> None:
        chain, you = self.sim.chain, self.host.coldkey
        hotkey = next(f"{you}/hk{k}" for k in range(1, 10_000) if f"{you}/hk{k}" not in chain.hotkey_owner)
        cost = chain.network_lock_cost()
        try:
            netuid = chain.register_subnet(you, hotkey)
        except ChainError as err:
            self.subnet_message.value = refused(err)
            return
        self.sim.tasks[netuid] = self.task.value
        self.host.select(netuid)
        self._after(self.subnet_message, f"Subnet {netuid} is yours (lock {format_tao(cost, 0)}); your hotkey "
                                         f"{hotkey} is its UID 0. Add miners and validators to it next.")

    def _newcomers(self, kind: str, netuid: int, count: int, **fields) -> list[dict]:
        """Specs of `count` new agents of `kind`, each with an unused name such as "sn3-new-miner2"."""
        taken = {a.name for a in self.sim.agents} | set(self.sim.chain.balances)
        prefix = f"sn{netuid}-new-{kind.lower()}"
        names = [f"{prefix}{k}" for k in range(1, 100_000) if f"{prefix}{k}" not in taken][:count]
        return [{"kind": kind, "name": name, "netuid": netuid, **fields} for name in names]

    def _join(self, specs: list[dict], message: ipw.HTML) -> bool:
        """Fund, register and stake every newcomer, all or nothing; True if they all joined."""
        try:
            self.sim.add_agents(specs)  # newcomers fund themselves from the faucet: they bring their own TAO
        except ChainError as err:
            message.value = refused(err) + " Nobody joined."
            return False
        return True

    def _add_participants(self, _button=None) -> None:
        netuid, kind = self.netuid, self.kind.value
        if netuid is None:
            self.participants_message.value = problem("Register a subnet first.")
            return
        if kind == "Miner":
            fields = {"quality": float(self.quality.value)}
        else:
            fields = {"stake_tao": float(self.stake_each.value)}
            if not fields["stake_tao"] >= 0:
                self.participants_message.value = problem("A stake is a number of τ, 0 or more.")
                return
        specs = self._newcomers(kind, netuid, self.count.value, **fields)
        if self._join(specs, self.participants_message):
            label = self.kind.label
            self._after(self.participants_message, f"{len(specs)} {label} joined subnet {netuid}. Validators get a "
                                                   "permit at the next epoch if their stake ranks high enough.")

    def _form_cabal(self, _button=None) -> None:
        netuid = self.netuid
        if netuid is None:
            self.participants_message.value = problem("Register a subnet first.")
            return
        stake_each = float(self.cabal_stake.value)
        if not stake_each > 0:
            self.participants_message.value = problem("Cabal validators need some stake (τ) to be heard.")
            return
        miners = self._newcomers("Miner", netuid, self.cabal_miners.value, quality=0.1)
        hotkeys = [f"{m['name']}/hk" for m in miners]
        validators = self._newcomers("CabalValidator", netuid, self.cabal_validators.value, stake_tao=stake_each,
                                     cabal_miners=hotkeys)
        specs = miners + validators
        if self._join(specs, self.participants_message):
            share = self._cabal_share(netuid, set(hotkeys))
            kappa = self.sim.chain.subnet(netuid).hyperparams["kappa"]
            self._after(self.participants_message,
                        f"A cabal of {self.cabal_validators.value} validators and {len(hotkeys)} miners formed on "
                        f"subnet {netuid}. It holds about <b>{share:.0%}</b> of the validators' stake; κ is "
                        f"{kappa:.0%}. Play a few epochs and watch who earns.")

    def _cabal_share(self, netuid: int, cabal_miners: set[str]) -> float:
        """The cabal's part of the stake weight of every validator agent on the subnet."""
        chain = self.sim.chain
        s = chain.subnet(netuid)
        weight = chain.stake_weight(netuid)
        validators = {a.hotkey: a for a in self.sim.agents if isinstance(a, Validator) and a.netuid == netuid}
        total = sum(weight[s.uid_of[hk]] for hk in validators if hk in s.uid_of)
        cabal = sum(weight[s.uid_of[hk]] for hk, a in validators.items()
                    if hk in s.uid_of and set(getattr(a, "cabal_miners", ())) & cabal_miners)
        return cabal / total if total else 0.0

    def _trade(self, stake: bool, everything: bool = False) -> None:
        chain, you, netuid, hotkey = self.sim.chain, self.host.coldkey, self.netuid, self.hotkey.value
        if netuid is None or hotkey is None:
            self.stake_message.value = problem("Pick a subnet and a validator first.")
            return
        try:
            amount = chain.stake(hotkey, netuid, you) if everything else tao(self.amount.value)
            if stake:
                got = chain.add_stake(you, hotkey, netuid, amount)
                text = f"Staked {format_tao(amount, 2)}: received {format_alpha(got, 3, netuid)}."
            else:
                got = chain.remove_stake(you, hotkey, netuid, amount)
                text = f"Unstaked {format_alpha(amount, 3, netuid)}: received {format_tao(got, 3)}."
        except ChainError as err:
            self.stake_message.value = refused(err)
            return
        except (ValueError, TypeError) as err:
            self.stake_message.value = problem(str(err))
            return
        self._after(self.stake_message, f"{text} The price is now {chain.price(netuid):.4f} τ/α.")

    def _stake(self, _button=None) -> None:
        self._trade(stake=True)

    def _unstake(self, _button=None) -> None:
        self._trade(stake=False)

    def _unstake_all(self, _button=None) -> None:
        self._trade(stake=False, everything=True)

    def _set_hyperparameter(self, _button=None) -> None:
        netuid, name = self.netuid, self.name.value
        if netuid is None or netuid == ROOT:
            self.hyper_message.value = problem("Pick a subnet first.")
            return
        s = self.sim.chain.subnet(netuid)
        try:
            value = parse_hyperparameter(name, self.value.value)
            self.sim.chain.set_hyperparameter(s.owner_coldkey, netuid, name, value)
        except ChainError as err:
            self.hyper_message.value = refused(err)
            return
        except ValueError as err:
            self.hyper_message.value = problem(str(err))
            return
        self._after(self.hyper_message, f"{s.owner_coldkey}, the owner of subnet {netuid}, set {name} = {value}.")
